using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Squared hinge loss, averaged over the last axis: max(1 − y·ŷ, 0)²; labels in {0, 1} are mapped to {−1, 1} first. String alias: "squared_hinge".</summary>
public sealed class SquaredHinge : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public SquaredHinge(string reduction = "sum_over_batch_size", string name = "squared_hinge")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.SquaredHinge(yTrue, yPred);
}
