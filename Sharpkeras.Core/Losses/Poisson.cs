using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Poisson loss, averaged over the last axis: ŷ − y·log(ŷ + ε). String alias: "poisson".</summary>
public sealed class Poisson : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Poisson(string reduction = "sum_over_batch_size", string name = "poisson")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Poisson(yTrue, yPred);
}
