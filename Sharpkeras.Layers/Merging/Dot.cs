using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The dot product of two inputs along one axis of each (Keras's <c>Dot</c>, <c>batch_dot</c> per sample). For
/// inputs (batch, *a) and (batch, *b) summed over a[i] and b[j], the output is (batch, *a without i, *b without j);
/// when only the batch axis remains, (batch, 1). With <c>normalize: true</c> each input is first L2-normalized along
/// its axis (Keras's <c>x · rsqrt(max(Σx², ε²))</c>, ε = 1e-7), so the output is the cosine similarity.
/// Axis 0 (batch) cannot be used. The output carries no mask.
/// </summary>
/// <example><c>new Dot(axes: 1).Apply(a, b)</c> on two (None, 8) inputs gives (None, 1);
/// <c>new Dot(axes: (1, 2))</c> on (None, 3, 5) and (None, 10, 3) gives (None, 5, 10).</example>
public sealed class Dot : Merge
{
    private readonly bool _axesIsInt;

    /// <summary>The same axis for both inputs (a negative axis counts from each input's end).</summary>
    /// <param name="axes">The axis to sum over (not 0, the batch axis).</param>
    /// <param name="normalize">Whether to L2-normalize both inputs along their axes first (cosine similarity).</param>
    /// <param name="name">Layer name.</param>
    public Dot(int axes, bool normalize = false, string? name = null) : this([axes], normalize, name) { }

    /// <summary>One axis per input: (axis of the first, axis of the second).</summary>
    /// <param name="axes">The axes to sum over (not 0, the batch axis).</param>
    /// <param name="normalize">Whether to L2-normalize both inputs along their axes first (cosine similarity).</param>
    /// <param name="name">Layer name.</param>
    public Dot((int first, int second) axes, bool normalize = false, string? name = null)
        : this([axes.first, axes.second], normalize, name) { }

    /// <summary>Axes as Keras writes them in configs: one int, or [axis of the first, axis of the second].</summary>
    /// <param name="axes">1 or 2 axes (not 0, the batch axis).</param>
    /// <param name="normalize">Whether to L2-normalize both inputs along their axes first (cosine similarity).</param>
    /// <param name="name">Layer name.</param>
    public Dot(int[] axes, bool normalize = false, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length is not (1 or 2))
            throw new ArgumentException($"Dot: axes must be an int or a pair of ints; got {axes.Length} values ({string.Join(", ", axes)}).", nameof(axes));
        if (axes.Contains(0))
            throw new ArgumentException($"Dot: axes cannot include the batch axis 0; got ({string.Join(", ", axes)}).", nameof(axes));
        _axesIsInt = axes.Length == 1;
        Axes = axes.Length == 1 ? [axes[0], axes[0]] : (int[])axes.Clone();
        Normalize = normalize;
    }

    /// <summary>The axes as (axis of the first input, axis of the second input), before negative axes are resolved.</summary>
    public int[] Axes { get; }

    /// <summary>Whether the inputs are L2-normalized along their axes first.</summary>
    public bool Normalize { get; }

    /// <inheritdoc />
    protected override int? ExactInputs => 2;

    /// <inheritdoc />
    protected override bool AlignsRanks => false;

    private (int a0, int a1) Resolve(int?[][] shapes)
    {
        int r0 = shapes[0].Length, r1 = shapes[1].Length;
        if (r0 < 2 || r1 < 2) throw Incompatible(shapes, "both inputs need rank >= 2 (batch + at least one axis)");
        int a0 = Axes[0] < 0 ? Axes[0] + r0 : Axes[0];
        int a1 = Axes[1] < 0 ? Axes[1] + r1 : Axes[1];
        if (a0 < 1 || a0 >= r0 || a1 < 1 || a1 >= r1)
            throw Incompatible(shapes, $"axes ({Axes[0]}, {Axes[1]}) must name a non-batch axis of each input");
        if (shapes[0][a0] is int d0 && shapes[1][a1] is int d1 && d0 != d1)
            throw Incompatible(shapes, $"the dot-product axes differ in size ({d0} at axis {a0} vs {d1} at axis {a1})");
        return (a0, a1);
    }

    /// <inheritdoc />
    protected override int?[] MergedShape(int?[][] shapes)
    {
        var (a0, a1) = Resolve(shapes);
        int? batch = BatchSize(shapes);
        var rest0 = shapes[0].Where((_, i) => i != 0 && i != a0);
        var rest1 = shapes[1].Where((_, i) => i != 0 && i != a1);
        int?[] r = [batch, .. rest0, .. rest1];
        return r.Length == 1 ? [batch, 1] : r;
    }

    private static Tensor L2Normalize(Tensor x, int axis)
    {
        double eps = Keras.Config.Epsilon;
        return x * x.square().sum(axis, keepdim: true).clamp_min(eps * eps).rsqrt();
    }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks)
    {
        var (a0, a1) = Resolve(inputs.Select(t => ReshapingArgs.Nullable(t.shape)).ToArray());
        var x = inputs[0];
        var y = inputs[1];
        if (Normalize)
        {
            x = L2Normalize(x, a0);
            y = L2Normalize(y, a1);
        }
        long batch = x.shape[0], k = x.shape[a0];
        var xm = x.movedim([a0], [x.dim() - 1]);   // (batch, *rest0, k)
        var ym = y.movedim([a1], [1L]);            // (batch, k, *rest1)
        var rest0 = xm.shape[1..^1];
        var rest1 = ym.shape[2..];
        var r = torch.bmm(xm.reshape(batch, -1, k), ym.reshape(batch, k, -1));
        long[] outShape = [batch, .. rest0, .. rest1];
        return r.reshape(outShape.Length == 1 ? [batch, 1] : outShape);
    }

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount) => new Tensor?[outputCount];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axes"] = _axesIsInt ? Axes[0] : new[] { Axes[0], Axes[1] };
        c["normalize"] = Normalize;
        return c;
    }
}
