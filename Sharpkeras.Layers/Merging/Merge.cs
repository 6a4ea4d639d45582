using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared body of the merging layers (Keras's <c>Merge</c>): takes several inputs, checks their shapes, and
/// combines them. For the element-wise merges (<see cref="Add"/>, <see cref="Subtract"/>, <see cref="Multiply"/>,
/// <see cref="Average"/>, <see cref="Maximum"/>, <see cref="Minimum"/>) Keras's shape rule applies: the sample shapes
/// (batch excluded) are aligned on the right and must be equal where both are known, except that a dimension of 1
/// broadcasts; an input of lower rank gets axes of size 1 after its batch axis. Batch sizes must be equal.
/// Incompatible shapes raise an <see cref="ArgumentException"/> naming the layer and every input shape.
/// </summary>
/// <remarks>
/// Masks (Keras 3 semantics): when every input carries a mask the output mask is their logical OR; when any input
/// has none the output has none. <see cref="Concatenate"/> and <see cref="Dot"/> have their own rules.
/// </remarks>
public abstract class Merge : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    protected Merge(string? name = null) : base(name) => SupportsMasking = true;

    /// <summary>The least number of inputs (Keras 3 accepts a list of one).</summary>
    protected virtual int MinInputs => 1;

    /// <summary>The exact number of inputs, or null for any number ≥ <see cref="MinInputs"/>.</summary>
    protected virtual int? ExactInputs => null;

    /// <summary>Whether inputs of lower rank get axes of size 1 inserted after the batch axis before merging.</summary>
    protected virtual bool AlignsRanks => true;

    /// <summary>
    /// Combines the inputs (already aligned to the same rank when <see cref="AlignsRanks"/>).
    /// <paramref name="masks"/> holds the inputs' masks (or is null when none has one).
    /// </summary>
    /// <param name="inputs">The inputs, at least <c>MinInputs</c> of them.</param>
    /// <param name="masks">The inputs' masks, or null when none has one.</param>
    /// <returns>The merged output.</returns>
    protected abstract Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks);

    /// <summary>Throws unless <paramref name="count"/> inputs are acceptable.</summary>
    /// <param name="count">The number of inputs the layer was called on.</param>
    /// <exception cref="System.ArgumentException">Too few inputs, or not the exact number the layer takes.</exception>
    protected void CheckCount(int count)
    {
        if (ExactInputs is int e && count != e)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) must be called on exactly {e} inputs; got {count}.", "inputs");
        if (count < MinInputs)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) must be called on at least {MinInputs} input(s); got {count}.", "inputs");
    }

    /// <summary>An exception naming this layer, every input shape and the reason.</summary>
    /// <param name="shapes">The input shapes, batch first.</param>
    /// <param name="reason">Why they cannot be merged, appended to the message.</param>
    /// <returns>The exception (not thrown), for <c>throw Incompatible(...)</c>.</returns>
    protected ArgumentException Incompatible(int?[][] shapes, string reason) => new(
        $"Layer '{Name}' ({GetType().Name}) cannot merge inputs of shapes {string.Join(", ", shapes.Select(ShapeUtils.Format))}: {reason}.", "inputs");

    /// <summary>The common batch size (null when unknown); throws when two known batch sizes differ.</summary>
    /// <param name="shapes">The input shapes, batch first.</param>
    /// <exception cref="System.ArgumentException">Two known batch sizes differ.</exception>
    protected int? BatchSize(int?[][] shapes)
    {
        var known = shapes.Where(s => s.Length > 0 && s[0] is not null).Select(s => s[0]!.Value).Distinct().ToArray();
        if (known.Length > 1) throw Incompatible(shapes, $"the batch sizes differ ({string.Join(" vs ", known)})");
        return known.Length == 1 ? known[0] : null;
    }

    /// <summary>The output shape for input shapes (batch first); throws naming every shape when they do not fit.</summary>
    /// <param name="shapes">The input shapes, batch first.</param>
    /// <exception cref="System.ArgumentException">The shapes cannot be merged (the message names every shape).</exception>
    protected virtual int?[] MergedShape(int?[][] shapes)
    {
        if (shapes.Any(s => s.Length == 0)) throw Incompatible(shapes, "every input needs a batch axis");
        int? batch = BatchSize(shapes);
        var outShape = shapes[0][1..];
        for (int k = 1; k < shapes.Length; k++)
        {
            var a = outShape;
            var b = shapes[k][1..];
            if (a.Length < b.Length) (a, b) = (b, a);
            var r = new int?[a.Length];
            int offset = a.Length - b.Length;
            for (int i = 0; i < offset; i++) r[i] = a[i];
            for (int i = 0; i < b.Length; i++)
            {
                int? x = a[offset + i], y = b[i];
                if (x is null || y is null) r[offset + i] = null;
                else if (x == 1) r[offset + i] = y;
                else if (y == 1) r[offset + i] = x;
                else if (x != y) throw Incompatible(shapes, $"sizes {x} and {y} differ on a sample axis (shapes must match, or be 1 to broadcast)");
                else r[offset + i] = x;
            }
            outShape = r;
        }
        return [batch, .. outShape];
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => Build([inputShape]);

    /// <inheritdoc />
    public override void Build(int?[][] inputShapes)
    {
        CheckCount(inputShapes.Length);
        _ = MergedShape(inputShapes);
    }

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        CheckCount(inputShapes.Length);
        return [(MergedShape(inputShapes), DType)];
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Run([inputs], null);

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => Run(inputs, null);

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks) => [Run(inputs, masks)];

    private Tensor Run(Tensor[] inputs, Tensor?[]? masks)
    {
        CheckCount(inputs.Length);
        _ = MergedShape(inputs.Select(t => ReshapingArgs.Nullable(t.shape)).ToArray());
        if (masks != null && masks.All(m => m is null)) masks = null;
        if (!AlignsRanks) return MergeFunction(inputs, masks);
        long rank = inputs.Max(t => t.dim());
        var aligned = inputs.Select(t => t.dim() == rank ? t
            : t.reshape([t.shape[0], .. Enumerable.Repeat(1L, (int)(rank - t.dim())), .. t.shape[1..]])).ToArray();
        return MergeFunction(aligned, masks);
    }

    /// <summary>
    /// A mask as a bool tensor broadcast to <paramref name="x"/>'s shape (Keras expands a mask with one axis fewer
    /// than the input by a trailing axis).
    /// </summary>
    /// <param name="mask">An input's mask.</param>
    /// <param name="x">The input it belongs to.</param>
    protected internal Tensor BroadcastMask(Tensor mask, Tensor x)
    {
        var m = mask.dtype == ScalarType.Bool ? mask : mask.gt(0.5);
        if (m.dim() < x.dim()) m = m.unsqueeze(-1);
        bool ok = m.dim() <= x.dim();
        for (int i = 1; ok && i <= m.dim(); i++)
            ok = m.shape[^i] == 1 || m.shape[^i] == x.shape[^i];
        if (!ok)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}): a mask of shape {ShapeUtils.Format(mask.shape)} does not fit its input of shape {ShapeUtils.Format(x.shape)}.", "masks");
        return m.expand_as(x);
    }

    private static bool Broadcastable(long[] a, long[] b)
    {
        for (int i = 1; i <= Math.Min(a.Length, b.Length); i++)
            if (a[^i] != b[^i] && a[^i] != 1 && b[^i] != 1) return false;
        return true;
    }

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var r = new Tensor?[outputCount];
        if (masks is null || masks.Length != inputs.Length || masks.Any(m => m is null)) return r;
        var all = masks[0]!;
        for (int i = 1; i < masks.Length; i++)
        {
            var m = masks[i]!;
            if (!Broadcastable(all.shape, m.shape))
                throw new ArgumentException(
                    $"Layer '{Name}' ({GetType().Name}): the input masks of shapes {string.Join(", ", masks.Select(k => ShapeUtils.Format(k!.shape)))} cannot be combined.", nameof(masks));
            all = all.logical_or(m);
        }
        r[0] = all;
        return r;
    }
}
