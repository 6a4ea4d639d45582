using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of 100·mean(|(y − ŷ)/max(|y|, ε)|) per sample (Keras's <c>keras.metrics.MeanAbsolutePercentageError</c>). String alias: "mean_absolute_percentage_error".</summary>
public sealed class MeanAbsolutePercentageError : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.MeanAbsolutePercentageError(t, p);
}
