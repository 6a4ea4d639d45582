using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Huber loss, averaged over the last axis: ½e² where |e| ≤ delta, delta·|e| − ½delta² elsewhere (e = ŷ − y). String alias: "huber_loss".</summary>
public sealed class Huber : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="delta">Keras's <c>delta</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Huber(double delta = 1.0, string reduction = "sum_over_batch_size", string name = "huber_loss")
        : base(name, reduction)
    {
        if (!(delta >= 0) || !double.IsFinite(delta)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be finite and >= 0.");
        Delta = delta;
    }

    /// <summary>Keras's <c>delta</c>.</summary>
    public double Delta { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Huber(yTrue, yPred, delta: Delta);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["delta"] = Delta;
        return c;
    }
}
