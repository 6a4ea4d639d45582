using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean binary cross-entropy (as the loss of the same name) (Keras's <c>keras.metrics.BinaryCrossentropy</c>). String alias: "binary_crossentropy".</summary>
public sealed class BinaryCrossentropy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="labelSmoothing">Keras's <c>label_smoothing</c>.</param>
    public BinaryCrossentropy(string name = "binary_crossentropy", bool fromLogits = false, double labelSmoothing = 0.0)
        : base(Fn(fromLogits, labelSmoothing), name, "down")
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(bool fromLogits, double labelSmoothing) => (t, p) => Sharpkeras.Losses.Losses.BinaryCrossentropy(t, p, fromLogits, labelSmoothing);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = LabelSmoothing;
        return c;
    }
}
