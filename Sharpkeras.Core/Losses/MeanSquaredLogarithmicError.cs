using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²) over the last axis. String alias: "mean_squared_logarithmic_error".</summary>
public sealed class MeanSquaredLogarithmicError : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public MeanSquaredLogarithmicError(string reduction = "sum_over_batch_size", string name = "mean_squared_logarithmic_error")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.MeanSquaredLogarithmicError(yTrue, yPred);
}
