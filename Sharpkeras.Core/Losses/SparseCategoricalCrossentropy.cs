using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Categorical cross-entropy with integer labels: −log p[label]. <c>ignoreClass</c> labels give no loss and are masked out of the mean, as in Keras. String alias: "sparse_categorical_crossentropy".</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Keras's <c>from_logits</c>.</param>
    /// <param name="ignoreClass">Keras's <c>ignore_class</c>.</param>
    /// <param name="axis">Keras's <c>axis</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, string reduction = "sum_over_batch_size", int axis = -1, string name = "sparse_categorical_crossentropy")
        : base(name, reduction)
    {
        FromLogits = fromLogits;
        IgnoreClass = ignoreClass;
        Axis = axis;
    }

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }
    /// <summary>Keras's <c>ignore_class</c>.</summary>
    public int? IgnoreClass { get; }
    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.SparseCategoricalCrossentropy(yTrue, yPred, fromLogits: FromLogits, ignoreClass: IgnoreClass, axis: Axis);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["ignore_class"] = IgnoreClass;
        c["axis"] = Axis;
        return c;
    }
}
