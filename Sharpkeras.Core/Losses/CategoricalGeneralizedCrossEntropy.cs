using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Generalized cross-entropy for noisy labels: (1 − p^q)/q with p the probability of the integer label; q in (0, 1). String alias: "categorical_generalized_cross_entropy".</summary>
public sealed class CategoricalGeneralizedCrossEntropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="q">Keras's <c>q</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public CategoricalGeneralizedCrossEntropy(double q = 0.5, string reduction = "sum_over_batch_size", string name = "categorical_generalized_cross_entropy")
        : base(name, reduction)
    {
        if (!(q > 0 && q < 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "q must be in the interval (0, 1).");
        Q = q;
    }

    /// <summary>Keras's <c>q</c>.</summary>
    public double Q { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.CategoricalGeneralizedCrossEntropy(yTrue, yPred, q: Q);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["q"] = Q;
        return c;
    }
}
