using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of mean(log(cosh(ŷ − y))) per sample (Keras's <c>keras.metrics.LogCoshError</c>). String alias: "logcosh".</summary>
public sealed class LogCoshError : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public LogCoshError(string name = "logcosh")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.LogCosh(t, p);
}
