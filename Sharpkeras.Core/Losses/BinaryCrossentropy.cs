using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Binary cross-entropy, averaged over <c>axis</c>. Probabilities are clipped to [ε, 1 − ε]; <c>fromLogits</c> uses the stable logits form. Label smoothing: y·(1 − s) + s/2. String alias: "binary_crossentropy".</summary>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="labelSmoothing">Keras's <c>label_smoothing</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string reduction = "sum_over_batch_size", string name = "binary_crossentropy")
        : base(name, reduction)
    {
        _options = CrossentropyOptions.Create(fromLogits, labelSmoothing, axis);
    }

    private readonly CrossentropyOptions _options;

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits => _options.FromLogits;
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing => _options.LabelSmoothing;
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis => _options.Axis;

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.BinaryCrossentropy(yTrue, yPred, fromLogits: FromLogits, labelSmoothing: LabelSmoothing, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        _options.WriteTo(c);
        return c;
    }
}
