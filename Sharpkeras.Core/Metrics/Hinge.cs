using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean hinge loss max(1 − y·ŷ, 0) (labels in {0, 1} become {−1, 1}) (Keras's <c>keras.metrics.Hinge</c>). String alias: "hinge".</summary>
public sealed class Hinge : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public Hinge(string name = "hinge")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.Hinge(t, p);
}
