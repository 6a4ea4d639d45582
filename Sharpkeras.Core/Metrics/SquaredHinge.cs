using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean squared hinge loss max(1 − y·ŷ, 0)² (Keras's <c>keras.metrics.SquaredHinge</c>). String alias: "squared_hinge".</summary>
public sealed class SquaredHinge : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public SquaredHinge(string name = "squared_hinge")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.SquaredHinge(t, p);
}
