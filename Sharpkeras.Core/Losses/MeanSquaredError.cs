using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Mean of squared errors over the last axis: mean((y − ŷ)²). String alias: "mean_squared_error".</summary>
public sealed class MeanSquaredError : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public MeanSquaredError(string reduction = "sum_over_batch_size", string name = "mean_squared_error")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.MeanSquaredError(yTrue, yPred);
}
