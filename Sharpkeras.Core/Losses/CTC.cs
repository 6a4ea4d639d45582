using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Connectionist temporal classification loss: labels (batch, maxLabelLength) with 0 as blank and padding, logits (batch, time, classes). String alias: "ctc".</summary>
public sealed class CTC : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public CTC(string reduction = "sum_over_batch_size", string name = "ctc")
        : base(name, reduction)
    {

    }


    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.CTC(yTrue, yPred);
}
