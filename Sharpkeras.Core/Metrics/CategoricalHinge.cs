using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean categorical hinge loss max(max((1 − y)·ŷ) − Σ y·ŷ + 1, 0) (Keras's <c>keras.metrics.CategoricalHinge</c>). String alias: "categorical_hinge".</summary>
public sealed class CategoricalHinge : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public CategoricalHinge(string name = "categorical_hinge")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.CategoricalHinge(t, p);
}
