using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The softmax activation as a layer (Keras's <c>Softmax</c>): <c>exp(x − max x) / Σ exp(x − max x)</c> along
/// <c>axis</c> (default -1), or jointly over several axes. It takes a mask (Keras semantics): the mask must broadcast
/// to the input when aligned on the right (each mask dimension 1 or equal); masked-out positions are excluded from
/// the normalization and get probability 0 (an entirely masked row is all 0). A non-bool mask keeps values &gt; 0.5.
/// The mask comes from the previous layer (e.g. Embedding with maskZero) or is passed with
/// <see cref="Apply(Tensor, Tensor, bool)"/>.
/// </summary>
public sealed class Softmax : Layer
{
    /// <summary>Softmax along one axis.</summary>
    /// <param name="axis">The normalization axis (negative counts from the end; default -1).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="dtype">Dtype policy or its name (default the global policy; "float32" for a float32 output under mixed precision).</param>
    public Softmax(int axis = -1, int?[]? inputShape = null, string? name = null, DTypePolicy? dtype = null) : this([axis], inputShape, name, dtype) { }

    /// <summary>Softmax jointly over several axes (Keras's list <c>axis</c>).</summary>
    /// <param name="axis">The normalization axes (at least one; negative counts from the end).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="dtype">Dtype policy or its name (default the global policy).</param>
    public Softmax(int[] axis, int?[]? inputShape = null, string? name = null, DTypePolicy? dtype = null) : base(name, inputShape: inputShape, dtype: dtype)
    {
        ArgumentNullException.ThrowIfNull(axis);
        if (axis.Length == 0) throw new ArgumentException("Softmax: axis must hold at least one axis; got an empty list.", nameof(axis));
        Axis = (int[])axis.Clone();
        SupportsMasking = true;
    }

    /// <summary>The normalization axes as given.</summary>
    public int[] Axis { get; }

    private long[] Resolve(long rank, Func<string> shape)
    {
        var r = Axis.Select(a => (long)(a < 0 ? a + rank : a)).ToArray();
        if (r.Any(a => a < 0 || a >= rank) || r.Distinct().Count() != r.Length)
            throw new ArgumentException(
                $"Layer '{Name}' (Softmax): axis ({string.Join(", ", Axis)}) must name distinct axes of the input; got input shape {shape()} (rank {rank}).");
        return r;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => _ = Resolve(inputShape.Length, () => ShapeUtils.Format(inputShape));

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Call(inputs, training, null);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask)
    {
        var axes = Resolve(inputs.dim(), () => ShapeUtils.Format(inputs.shape));
        Tensor? keep = null;
        var x = inputs;
        if (mask is not null)
        {
            bool ok = mask.dim() <= inputs.dim();
            for (int i = 1; ok && i <= mask.dim(); i++) ok = mask.shape[^i] == 1 || mask.shape[^i] == inputs.shape[^i];
            if (!ok)
                throw new ArgumentException(
                    $"Layer '{Name}' (Softmax): the mask must broadcast to the input (aligned on the right, each mask dimension 1 or equal); got mask shape {ShapeUtils.Format(mask.shape)} for input shape {ShapeUtils.Format(inputs.shape)}.",
                    nameof(mask));
            keep = mask.dtype == ScalarType.Bool ? mask : mask.gt(0.5);
            double large = inputs.dtype == ScalarType.Float16 ? -3e4 : -1e9;
            x = torch.where(keep, inputs, torch.full_like(inputs, large));
        }
        Tensor y;
        if (axes.Length == 1) y = x.softmax(axes[0]);
        else
        {
            var e = (x - x.amax(axes, keepdim: true)).exp();
            y = e / e.sum(axes, keepdim: true);
        }
        if (keep is not null) y = torch.where(keep, y, torch.zeros_like(y));
        return y;
    }

    /// <summary>Runs the layer on real tensors with an explicit mask (Keras's <c>layer(inputs, mask=mask)</c>).</summary>
    /// <param name="inputs">The logits.</param>
    /// <param name="mask">A bool mask (or 0/1 values) broadcastable to <paramref name="inputs"/>: false/0 positions get probability 0.</param>
    /// <param name="training">Ignored (softmax behaves the same in training and inference).</param>
    public Tensor Apply(Tensor inputs, Tensor mask, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(mask);
        return CallLayer(this, [inputs], training, [mask]).outputs[0];
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis.Length == 1 ? Axis[0] : (int[])Axis.Clone();
        return c;
    }
}
