using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Hinge loss, averaged over the last axis: max(1 − y·ŷ, 0); labels in {0, 1} are mapped to {−1, 1} first. String alias: "hinge".</summary>
public sealed class Hinge : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Hinge(string reduction = "sum_over_batch_size", string name = "hinge")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Hinge(yTrue, yPred);
}
