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
        : this(Losses.CrossentropyOptions.Create(fromLogits, labelSmoothing, axis), name)
    {
    }

    private CategoricalCrossentropy(Losses.CrossentropyOptions options, string name) : base(Fn(options), name, "down") => _options = options;

    private readonly Losses.CrossentropyOptions _options;

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits => _options.FromLogits;
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing => _options.LabelSmoothing;
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis => _options.Axis;

    private static Func<Tensor, Tensor, Tensor> Fn(Losses.CrossentropyOptions o) => (t, p) => Metrics.CategoricalCrossentropy(t, p, o.FromLogits, o.LabelSmoothing, o.Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        _options.WriteTo(c);
        return c;
    }
}
