using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>100 · mean(|(y − ŷ) / max(|y|, ε)|) over the last axis. String alias: "mean_absolute_percentage_error".</summary>
public sealed class MeanAbsolutePercentageError : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public MeanAbsolutePercentageError(string reduction = "sum_over_batch_size", string name = "mean_absolute_percentage_error")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.MeanAbsolutePercentageError(yTrue, yPred);
}
