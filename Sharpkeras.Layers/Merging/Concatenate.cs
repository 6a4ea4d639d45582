using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Keras's <c>Concatenate</c>: joins the inputs along <c>axis</c> (default -1); every other dimension must match.
/// Masks are concatenated too (inputs without a mask count as all-true).
/// </summary>
public sealed class Concatenate : Merge
{
    /// <summary>Creates the layer.</summary>
    public Concatenate(int axis = -1, string? name = null) : base(name) => Axis = axis;

    /// <summary>The concatenation axis.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override int MinInputs => 1;

    /// <inheritdoc />
    protected override int?[] MergedShape(int?[][] shapes)
    {
        int rank = shapes[0].Length;
        int axis = Axis < 0 ? rank + Axis : Axis;
        bool ok = axis > 0 && axis < rank && shapes.All(s => s.Length == rank);
        var r = (int?[])shapes[0].Clone();
        for (int i = 1; ok && i < rank; i++)
        {
            if (i == axis)
            {
                r[i] = shapes.Any(s => s[i] is null) ? null : shapes.Sum(s => s[i]!.Value);
                continue;
            }
            foreach (var s in shapes)
            {
                if (r[i] is int a && s[i] is int b && a != b) ok = false;
                r[i] ??= s[i];
            }
        }
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' (Concatenate) needs inputs that match on every axis but {Axis}; got {string.Join(", ", shapes.Select(ShapeUtils.Format))}.");
        return r;
    }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs) => torch.cat(inputs, Axis);

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        if (masks is null || masks.All(m => m is null)) return new Tensor?[outputCount];
        int rank = (int)inputs[0].dim();
        int axis = Axis < 0 ? rank + Axis : Axis;
        if (axis == rank - 1)
        {
            // The mask has no feature axis: concatenating features keeps the (shared) time mask.
            Tensor? all = null;
            foreach (var m in masks) if (m is not null) all = all is null ? m : all.logical_and(m);
            return [all];
        }
        var full = inputs.Select((x, i) => masks[i] ?? torch.ones(x.shape[..^1], dtype: ScalarType.Bool, device: x.device)).ToArray();
        return [torch.cat(full, axis)];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
