using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Kullback-Leibler divergence over the last axis: Σ y·log(y/ŷ), both clipped to [ε, 1]. String alias: "kl_divergence".</summary>
public sealed class KLDivergence : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public KLDivergence(string reduction = "sum_over_batch_size", string name = "kl_divergence")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.KLDivergence(yTrue, yPred);
}
