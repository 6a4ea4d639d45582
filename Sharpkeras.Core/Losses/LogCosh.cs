using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Logarithm of the hyperbolic cosine of the error, averaged over the last axis. String alias: "log_cosh".</summary>
public sealed class LogCosh : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public LogCosh(string reduction = "sum_over_batch_size", string name = "log_cosh")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.LogCosh(yTrue, yPred);
}
