using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Binary focal cross-entropy (Lin et al. 2017), averaged over <c>axis</c>: (1 − pₜ)^γ·bce, weighted by α / 1 − α with <c>applyClassBalancing</c>. String alias: "binary_focal_crossentropy".</summary>
public sealed class BinaryFocalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="applyClassBalancing">Keras's <c>apply_class_balancing</c>.</param>
    /// <param name="alpha">Keras's <c>alpha</c>.</param>
    /// <param name="gamma">Keras's <c>gamma</c>.</param>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="labelSmoothing">Keras's <c>label_smoothing</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public BinaryFocalCrossentropy(bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string reduction = "sum_over_batch_size", string name = "binary_focal_crossentropy")
        : base(name, reduction)
    {
        _options = CrossentropyOptions.Create(fromLogits, labelSmoothing, axis);
        ApplyClassBalancing = applyClassBalancing;
        Alpha = CrossentropyOptions.CheckAlpha(alpha);
        Gamma = CrossentropyOptions.CheckGamma(gamma);
    }

    private readonly CrossentropyOptions _options;

    /// <summary>Keras's <c>apply_class_balancing</c>.</summary>
    public bool ApplyClassBalancing { get; }
    /// <summary>Keras's <c>alpha</c>.</summary>
    public double Alpha { get; }
    /// <summary>Keras's <c>gamma</c>.</summary>
    public double Gamma { get; }
    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits => _options.FromLogits;
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing => _options.LabelSmoothing;
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis => _options.Axis;

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.BinaryFocalCrossentropy(yTrue, yPred, applyClassBalancing: ApplyClassBalancing, alpha: Alpha, gamma: Gamma, fromLogits: FromLogits, labelSmoothing: LabelSmoothing, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["apply_class_balancing"] = ApplyClassBalancing;
        c["alpha"] = Alpha;
        c["gamma"] = Gamma;
        _options.WriteTo(c);
        return c;
    }
}
