using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean categorical cross-entropy with integer labels (as the loss of the same name) (Keras's <c>keras.metrics.SparseCategoricalCrossentropy</c>). String alias: "sparse_categorical_crossentropy".</summary>
public sealed class SparseCategoricalCrossentropy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    public SparseCategoricalCrossentropy(string name = "sparse_categorical_crossentropy", bool fromLogits = false, int axis = -1)
        : base(Fn(fromLogits, axis), name, "down")
    {
        FromLogits = fromLogits;
        Axis = axis;
    }

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    private static Func<Tensor, Tensor, Tensor> Fn(bool fromLogits, int axis) => (t, p) => Sharpkeras.Losses.Losses.SparseCategoricalCrossentropy(t, p, fromLogits, null, axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["axis"] = Axis;
        return c;
    }
}
