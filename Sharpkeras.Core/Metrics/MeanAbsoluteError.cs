using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of <c>mean(|yTrue - yPred|, axis=-1)</c> over all samples (Keras's <c>MeanAbsoluteError</c>).</summary>
/// <param name="name">The metric's name, the key in the logs (Keras's default <c>mean_absolute_error</c>).</param>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error") : MeanMetricWrapper(Fn, name, "down")
{
    private static Tensor Fn(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        return (t - p).abs().mean([-1L]);
    }
}
