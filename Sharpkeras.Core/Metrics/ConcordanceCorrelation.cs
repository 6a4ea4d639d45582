using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean concordance correlation coefficient (Lin) along <c>axis</c> per sample (Keras's <c>keras.metrics.ConcordanceCorrelation</c>; the function is <see cref="Metrics.ConcordanceCorrelation"/>). String alias: "concordance_correlation".</summary>
public sealed class ConcordanceCorrelation : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="axis">Keras's <c>axis</c>: the axis correlated over.</param>
    public ConcordanceCorrelation(string name = "concordance_correlation", int axis = -1)
        : base(Fn(axis), name, "up")
    {
        Axis = axis;
    }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(int axis) => (t, p) => Metrics.ConcordanceCorrelation(t, p, axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
