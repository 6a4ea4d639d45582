using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean Pearson correlation coefficient along <c>axis</c> per sample (Keras's <c>keras.metrics.PearsonCorrelation</c>; the function is <see cref="Metrics.PearsonCorrelation"/>). String alias: "pearson_correlation".</summary>
public sealed class PearsonCorrelation : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="axis">Keras's <c>axis</c>: the axis correlated over.</param>
    public PearsonCorrelation(string name = "pearson_correlation", int axis = -1)
        : base(Fn(axis), name, "up")
    {
        Axis = axis;
    }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(int axis) => (t, p) => Metrics.PearsonCorrelation(t, p, axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
