using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Passes its input through unchanged and adds the penalty <c>(l1 · Σ|x| + l2 · Σx²) / batchSize</c> to the
/// model's loss (Keras's <c>ActivityRegularization</c>). As in Keras 3, the penalty of an activity regularizer is
/// divided by the batch size (the output's first dimension), so its strength does not depend on the batch size;
/// it is added on every call (training and evaluation) and collected by the trainer.
/// </summary>
public sealed class ActivityRegularization : Layer
{
    private readonly Regularizers.L1L2 _regularizer;

    /// <summary>Creates the layer.</summary>
    /// <param name="l1">L1 factor (finite, ≥ 0; default 0).</param>
    /// <param name="l2">L2 factor (finite, ≥ 0; default 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ActivityRegularization(double l1 = 0.0, double l2 = 0.0, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (!(l1 >= 0) || !double.IsFinite(l1))
            throw new ArgumentOutOfRangeException(nameof(l1), l1, $"ActivityRegularization: l1 must be a finite value >= 0; got {l1}.");
        if (!(l2 >= 0) || !double.IsFinite(l2))
            throw new ArgumentOutOfRangeException(nameof(l2), l2, $"ActivityRegularization: l2 must be a finite value >= 0; got {l2}.");
        L1 = l1;
        L2 = l2;
        _regularizer = new Regularizers.L1L2(l1, l2);
        if (l1 != 0 || l2 != 0) ActivityRegularizer = _regularizer;
        SupportsMasking = true;
    }

    /// <summary>The L1 factor.</summary>
    public double L1 { get; }

    /// <summary>The L2 factor.</summary>
    public double L2 { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        // The penalty (divided by the batch size) is added by Layer after this call: Keras's one formula.
        return inputs;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["l1"] = L1;
        c["l2"] = L2;
        return c;
    }
}
