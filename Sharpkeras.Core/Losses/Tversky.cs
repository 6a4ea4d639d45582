using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Tversky loss: 1 − TP / (TP + α·FP + β·FN + ε) over <c>axis</c> (null: every axis). String alias: "tversky".</summary>
public sealed class Tversky : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="alpha">Keras's <c>alpha</c>.</param>
    /// <param name="beta">Keras's <c>beta</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Tversky(double alpha = 0.5, double beta = 0.5, string reduction = "sum_over_batch_size", string name = "tversky", int[]? axis = null)
        : base(name, reduction)
    {
        if (!double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be finite.");
        if (!double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be finite.");
        Alpha = alpha;
        Beta = beta;
        Axis = axis;
    }

    /// <summary>Keras's <c>alpha</c>.</summary>
    public double Alpha { get; }
    /// <summary>Keras's <c>beta</c>.</summary>
    public double Beta { get; }
    /// <summary>Keras's <c>axis</c>.</summary>
    public int[]? Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Tversky(yTrue, yPred, alpha: Alpha, beta: Beta, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["alpha"] = Alpha;
        c["beta"] = Beta;
        c["axis"] = Axis;
        return c;
    }
}
