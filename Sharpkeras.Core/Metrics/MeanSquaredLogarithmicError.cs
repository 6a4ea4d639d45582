using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²) per sample (Keras's <c>keras.metrics.MeanSquaredLogarithmicError</c>). String alias: "mean_squared_logarithmic_error".</summary>
public sealed class MeanSquaredLogarithmicError : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.MeanSquaredLogarithmicError(t, p);
}
