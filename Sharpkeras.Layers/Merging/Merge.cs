using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared body of the element-wise merging layers (Keras's <c>Merge</c>): every input must have the same shape
/// (null dimensions match anything); masks are combined with a logical AND.
/// </summary>
public abstract class Merge : Layer
{
    /// <summary>Creates the layer.</summary>
    protected Merge(string? name) : base(name) => SupportsMasking = true;

    /// <summary>Least number of inputs (2, as Keras requires).</summary>
    protected virtual int MinInputs => 2;

    /// <summary>Exact number of inputs, or null for any number ≥ <see cref="MinInputs"/>.</summary>
    protected virtual int? ExactInputs => null;

    /// <summary>Combines the inputs element-wise.</summary>
    protected abstract Tensor MergeFunction(Tensor[] inputs);

    private void CheckCount(int n)
    {
        if (ExactInputs is int e && n != e)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes exactly {e} inputs; got {n}.");
        if (n < MinInputs)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes at least {MinInputs} inputs; got {n}.");
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => CheckCount(1);

    /// <inheritdoc />
    public override void Build(int?[][] inputShapes)
    {
        CheckCount(inputShapes.Length);
        _ = MergedShape(inputShapes);
    }

    /// <summary>The common shape; throws naming the layer and every shape when they differ.</summary>
    protected virtual int?[] MergedShape(int?[][] shapes)
    {
        var r = (int?[])shapes[0].Clone();
        foreach (var s in shapes.Skip(1))
        {
            bool ok = s.Length == r.Length;
            for (int i = 1; ok && i < s.Length; i++)
            {
                if (r[i] is int a && s[i] is int b && a != b) ok = false;
                r[i] ??= s[i];
            }
            if (!ok)
                throw new ArgumentException(
                    $"Layer '{Name}' ({GetType().Name}) needs inputs of the same shape; got {string.Join(", ", shapes.Select(ShapeUtils.Format))}.");
        }
        return r;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training)
    {
        CheckCount(inputs.Length);
        _ = MergedShape(inputs.Select(t => ShapeUtils.WithNullBatch(t.shape)).ToArray());
        return MergeFunction(inputs);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => throw new ArgumentException(
        $"Layer '{Name}' ({GetType().Name}) merges several inputs: call it on a list, e.g. layer.Apply(a, b).");

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        CheckCount(inputShapes.Length);
        return [(MergedShape(inputShapes), inputTypes[0])];
    }

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        if (masks is null || masks.All(m => m is null)) return new Tensor?[outputCount];
        Tensor? all = null;
        foreach (var m in masks) if (m is not null) all = all is null ? m : all.logical_and(m);
        return [all];
    }
}

/// <summary>Keras's <c>Add</c>: the sum of the inputs.</summary>
public sealed class Add(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs.Skip(1).Aggregate(inputs[0], (a, b) => a + b);
}

/// <summary>Keras's <c>Subtract</c>: the first input minus the second (exactly two inputs).</summary>
public sealed class Subtract(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override int? ExactInputs => 2;

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs[0] - inputs[1];
}

/// <summary>Keras's <c>Multiply</c>: the element-wise product of the inputs.</summary>
public sealed class Multiply(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs.Skip(1).Aggregate(inputs[0], (a, b) => a * b);
}

/// <summary>Keras's <c>Average</c>: the element-wise mean of the inputs.</summary>
public sealed class Average(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs.Skip(1).Aggregate(inputs[0], (a, b) => a + b) / inputs.Length;
}

/// <summary>Keras's <c>Maximum</c>: the element-wise maximum of the inputs.</summary>
public sealed class Maximum(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs.Skip(1).Aggregate(inputs[0], torch.maximum);
}

/// <summary>Keras's <c>Minimum</c>: the element-wise minimum of the inputs.</summary>
public sealed class Minimum(string? name = null) : Merge(name)
{
    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => inputs.Skip(1).Aggregate(inputs[0], torch.minimum);
}
