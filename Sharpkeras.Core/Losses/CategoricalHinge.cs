using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Categorical hinge: max(max((1 − y)·ŷ) − Σ y·ŷ + 1, 0) over the last axis. String alias: "categorical_hinge".</summary>
public sealed class CategoricalHinge : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public CategoricalHinge(string reduction = "sum_over_batch_size", string name = "categorical_hinge")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.CategoricalHinge(yTrue, yPred);
}
