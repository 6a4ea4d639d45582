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
        : this(Losses.CrossentropyOptions.Create(fromLogits, labelSmoothing), name)
    {
    }

    private BinaryCrossentropy(Losses.CrossentropyOptions options, string name) : base(Fn(options), name, "down") => _options = options;

    private readonly Losses.CrossentropyOptions _options;

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits => _options.FromLogits;
    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing => _options.LabelSmoothing;

    private static Func<Tensor, Tensor, Tensor> Fn(Losses.CrossentropyOptions o) => (t, p) => Metrics.BinaryCrossentropy(t, p, o.FromLogits, o.LabelSmoothing);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        _options.WriteTo(c, withAxis: false);
        return c;
    }
}
