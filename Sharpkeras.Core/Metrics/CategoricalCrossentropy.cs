using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean categorical cross-entropy with one-hot labels (as the loss of the same name) (Keras's <c>keras.metrics.CategoricalCrossentropy</c>). String alias: "categorical_crossentropy".</summary>
public sealed class CategoricalCrossentropy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="labelSmoothing">Keras's <c>label_smoothing</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    public CategoricalCrossentropy(string name = "categorical_crossentropy", bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        : base(Fn(fromLogits, labelSmoothing, axis), name, "down")
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
        Axis = axis;
    }

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing { get; }
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(bool fromLogits, double labelSmoothing, int axis) => (t, p) => Sharpkeras.Losses.Losses.CategoricalCrossentropy(t, p, fromLogits, labelSmoothing, axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = LabelSmoothing;
        c["axis"] = Axis;
        return c;
    }
}
