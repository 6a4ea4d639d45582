using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Permutes the non-batch axes of the input by a 1-based pattern (Keras's <c>Permute</c>): <c>dims</c> lists, for each
/// output axis, which input axis it takes, counting the first axis after the batch as 1. The input rank must be
/// <c>dims.Length + 1</c>. Integer and bool inputs keep their type.
/// </summary>
/// <example><c>new Permute([2, 1])</c> turns (None, 10, 64) into (None, 64, 10).</example>
public sealed class Permute : Layer
{
    private readonly long[] _perm;

    /// <summary>Creates the layer.</summary>
    /// <param name="dims">A permutation of 1..n (1-based, batch axis excluded).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Permute(int[] dims, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0 || !dims.Order().SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new ArgumentException(
                $"Permute: dims must be a permutation of 1..{Math.Max(dims.Length, 1)} (consecutive, starting from 1, each once; the batch axis is not included); got ({string.Join(", ", dims)}).",
                nameof(dims));
        Dims = (int[])dims.Clone();
        _perm = [0, .. dims.Select(d => (long)d)];
        AcceptsIntegerInput = true;
    }

    /// <summary>The 1-based permutation pattern.</summary>
    public int[] Dims { get; }

    private void CheckRank(int rank, Func<string> shape)
    {
        if (rank != Dims.Length + 1)
            throw new ArgumentException(
                $"Input of layer '{Name}' (Permute) must have rank {Dims.Length + 1} (batch + {Dims.Length} axes for dims ({string.Join(", ", Dims)})); got shape {shape()}.");
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => CheckRank(inputShape.Length, () => ShapeUtils.Format(inputShape));

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => CheckRank((int)inputs[0].dim(), () => ShapeUtils.Format(inputs[0].shape));

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return inputs.permute(_perm);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        CheckRank(inputShape.Length, () => ShapeUtils.Format(inputShape));
        return [inputShape[0], .. Dims.Select(d => inputShape[d])];
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["dims"] = (int[])Dims.Clone();
        return c;
    }
}
