using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean Kullback-Leibler divergence Σ y·log(y/ŷ) (Keras's <c>keras.metrics.KLDivergence</c>). String alias: "kl_divergence".</summary>
public sealed class KLDivergence : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public KLDivergence(string name = "kl_divergence")
        : base(Fn(), name, "down")
    {

    }


    private static Func<Tensor, Tensor, Tensor> Fn() => (t, p) => Sharpkeras.Losses.Losses.KLDivergence(t, p);
}
