using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean Poisson loss mean(ŷ − y·log(ŷ + ε)) (Keras's <c>keras.metrics.Poisson</c>). String alias: "poisson".</summary>
public sealed class Poisson : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public Poisson(string name = "poisson")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.Poisson(t, p);
}
