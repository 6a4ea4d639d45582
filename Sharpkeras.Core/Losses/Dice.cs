using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Dice loss: 1 − 2·Σ(y·ŷ) / (Σy + Σŷ + ε) over <c>axis</c> (null: every axis). String alias: "dice".</summary>
public sealed class Dice : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Dice(string reduction = "sum_over_batch_size", string name = "dice", int[]? axis = null)
        : base(name, reduction)
    {
        Axis = axis;
    }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int[]? Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Dice(yTrue, yPred, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
