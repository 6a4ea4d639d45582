using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of <c>mean((yTrue - yPred)², axis=-1)</c> over all samples (Keras's <c>MeanSquaredError</c>).</summary>
/// <param name="name">The metric's name, the key in the logs (Keras's default <c>mean_squared_error</c>).</param>
public sealed class MeanSquaredError(string name = "mean_squared_error") : MeanMetricWrapper(Fn, name, "down")
{
    private static Tensor Fn(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        return (t - p).square().mean([-1L]);
    }
}
