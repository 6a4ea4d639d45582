using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Negative cosine similarity along <c>axis</c>: −Σ l2normalize(y)·l2normalize(ŷ) (−1 is the best value). String alias: "cosine_similarity".</summary>
public sealed class CosineSimilarity : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public CosineSimilarity(int axis = -1, string reduction = "sum_over_batch_size", string name = "cosine_similarity")
        : base(name, reduction)
    {
        Axis = axis;
    }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.CosineSimilarity(yTrue, yPred, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
