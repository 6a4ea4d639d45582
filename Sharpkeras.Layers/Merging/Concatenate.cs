using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Joins the inputs along <c>axis</c> (Keras's <c>Concatenate</c>, default the last axis):
/// <c>new Concatenate(axis: -1).Apply(a, b, c)</c>. All inputs have the same rank and the same size on every other
/// axis (unknown sizes match anything); otherwise an <see cref="ArgumentException"/> names the layer and every shape.
/// </summary>
/// <remarks>
/// Masks (Keras 3): when any input has a mask, each input's mask is widened to the input's full shape (all true
/// without a mask), the masks are concatenated along <c>axis</c>, and the output mask is their OR over the last
/// axis — so concatenating features keeps the OR of the step masks, and concatenating steps concatenates them.
/// </remarks>
public sealed class Concatenate : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The concatenation axis (negative counts from the end; default -1).</param>
    /// <param name="name">Layer name.</param>
    public Concatenate(int axis = -1, string? name = null) : base(name) => Axis = axis;

    /// <summary>The concatenation axis as given.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override bool AlignsRanks => false;

    private int ResolveAxis(int rank, int?[][] shapes)
    {
        int a = Axis < 0 ? rank + Axis : Axis;
        if (a < 0 || a >= rank)
            throw new ArgumentException(
                $"Layer '{Name}' (Concatenate): axis {Axis} is out of range for inputs of rank {rank} (shapes {string.Join(", ", shapes.Select(ShapeUtils.Format))}).", "axis");
        return a;
    }

    /// <inheritdoc />
    protected override int?[] MergedShape(int?[][] shapes)
    {
        int rank = shapes[0].Length;
        if (shapes.Any(s => s.Length != rank))
            throw Incompatible(shapes, $"the ranks differ ({string.Join(", ", shapes.Select(s => s.Length))}); inputs must match on every axis except the concatenation axis {Axis}");
        int axis = ResolveAxis(rank, shapes);
        var r = new int?[rank];
        for (int i = 0; i < rank; i++)
        {
            if (i == axis)
            {
                r[i] = shapes.Any(s => s[i] is null) ? null : shapes.Sum(s => s[i]!.Value);
                continue;
            }
            var known = shapes.Where(s => s[i] is not null).Select(s => s[i]!.Value).Distinct().ToArray();
            if (known.Length > 1)
                throw Incompatible(shapes, $"sizes {string.Join(" vs ", known)} differ on axis {i}; inputs must match on every axis except the concatenation axis {Axis}");
            r[i] = known.Length == 1 ? known[0] : null;
        }
        return r;
    }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks) => torch.cat(inputs, Axis);

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var r = new Tensor?[outputCount];
        if (masks is null || masks.Length != inputs.Length || masks.All(m => m is null)) return r;
        var full = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
            full[i] = masks[i] is Tensor m ? BroadcastMask(m, inputs[i])
                : torch.ones(inputs[i].shape, dtype: ScalarType.Bool, device: inputs[i].device);
        r[0] = torch.cat(full, Axis).any(-1);
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
