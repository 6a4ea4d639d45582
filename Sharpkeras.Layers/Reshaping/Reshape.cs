using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Keras's <c>Reshape</c>: reshapes every sample to <c>targetShape</c> (batch axis kept; one -1 is inferred).</summary>
public sealed class Reshape : Layer
{
    /// <summary>Creates the layer.</summary>
    public Reshape(int[] targetShape, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
            throw new ArgumentException($"Reshape: targetShape must hold positive sizes and at most one -1; got ({string.Join(", ", targetShape)}).", nameof(targetShape));
        TargetShape = targetShape;
        SupportsMasking = false;
    }

    /// <summary>The per-sample target shape.</summary>
    public int[] TargetShape { get; }

    private int?[] Resolve(int?[] inputShape)
    {
        long? total = 1;
        for (int i = 1; i < inputShape.Length; i++) total = total is long t && inputShape[i] is int d ? t * d : null;
        long known = TargetShape.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
        var r = new int?[TargetShape.Length + 1];
        r[0] = inputShape[0];
        for (int i = 0; i < TargetShape.Length; i++)
        {
            if (TargetShape[i] > 0) { r[i + 1] = TargetShape[i]; continue; }
            r[i + 1] = total is long t ? (t % known == 0 ? (int)(t / known) : throw Incompatible(inputShape)) : null;
        }
        if (total is long tt && !TargetShape.Contains(-1) && tt != known) throw Incompatible(inputShape);
        return r;
    }

    private ArgumentException Incompatible(int?[] inputShape) => new(
        $"Layer '{Name}' (Reshape) cannot reshape input {ShapeUtils.Format(inputShape)} to (None, {string.Join(", ", TargetShape)}): the sizes differ.");

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => _ = Resolve(inputShape);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var s = ShapeUtils.WithNullBatch(inputs.shape);
        _ = Resolve(s);
        return inputs.reshape([inputs.shape[0], .. TargetShape.Select(d => (long)d)]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => Resolve(inputShape);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["target_shape"] = TargetShape;
        return c;
    }
}
