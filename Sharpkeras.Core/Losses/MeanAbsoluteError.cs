using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Mean of absolute errors over the last axis: mean(|y − ŷ|). String alias: "mean_absolute_error".</summary>
public sealed class MeanAbsoluteError : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public MeanAbsoluteError(string reduction = "sum_over_batch_size", string name = "mean_absolute_error")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.MeanAbsoluteError(yTrue, yPred);
}
