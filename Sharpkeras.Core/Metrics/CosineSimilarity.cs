using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean cosine similarity Σ l2normalize(y)·l2normalize(ŷ) along <c>axis</c> (1 is best) (Keras's <c>keras.metrics.CosineSimilarity</c>). String alias: "cosine_similarity".</summary>
public sealed class CosineSimilarity : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    public CosineSimilarity(string name = "cosine_similarity", int axis = -1)
        : base(Fn(axis), name, "up")
    {
        Axis = axis;
    }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(int axis) => (t, p) => -Sharpkeras.Losses.Losses.CosineSimilarity(t, p, axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
