using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Root-mean-square normalization (Keras's <c>RMSNormalization</c>, Zhang &amp; Sennrich 2019): each sample becomes
/// <c>x · rsqrt(mean(x², axis) + epsilon) · scale</c>, with the learned <c>scale</c> (initialized to ones) of shape
/// <c>input_shape[axis]</c>. No centering, no offset. Same in training and inference.
/// </summary>
public sealed class RMSNormalization : Layer
{
    private KerasVariable? _scale;
    private long[] _axes = [];
    private long[]? _broadcast;

    /// <summary>Creates the layer normalizing over one axis.</summary>
    /// <param name="axis">The axis to normalize over (default −1).</param>
    /// <param name="epsilon">Added to the mean square (default 1e-6).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RMSNormalization(int axis = -1, double epsilon = 1e-6, int?[]? inputShape = null, string? name = null)
        : this([axis], epsilon, inputShape, name)
    {
        AxisIsList = false;
    }

    /// <summary>Creates the layer normalizing over several axes.</summary>
    /// <param name="axis">The axes to normalize over (not the batch axis).</param>
    /// <param name="epsilon">Added to the mean square (default 1e-6).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RMSNormalization(int[] axis, double epsilon = 1e-6, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(axis);
        string owner = $"RMSNormalization '{Name}'";
        if (axis.Length == 0) throw new ArgumentException($"{owner}: argument 'axis' must name at least one axis.", nameof(axis));
        if (axis.Distinct().Count() != axis.Length) throw new ArgumentException($"{owner}: argument 'axis' has repeated axes: [{string.Join(", ", axis)}].", nameof(axis));
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{owner}: argument 'epsilon' must be finite and >= 0; got {epsilon}.");
        Axis = axis.ToArray();
        AxisIsList = true;
        Epsilon = epsilon;
    }

    /// <summary>The axes normalized over, as given.</summary>
    public int[] Axis { get; }

    private bool AxisIsList { get; set; }

    /// <summary>Added to the mean square.</summary>
    public double Epsilon { get; }

    /// <summary>The learned scale (after build).</summary>
    public KerasVariable? ScaleWeight => _scale;

    private long[] NormalizeAxes(int?[] shape)
    {
        int rank = shape.Length;
        var r = new long[Axis.Length];
        for (int i = 0; i < Axis.Length; i++)
        {
            int a = Axis[i] < 0 ? Axis[i] + rank : Axis[i];
            if (a < 1 || a >= rank)
                throw new ArgumentException(
                    $"Layer '{Name}' (RMSNormalization): axis {Axis[i]} is out of range for input shape {ShapeUtils.Format(shape)} (the batch axis 0 cannot be normalized).", "axis");
            r[i] = a;
        }
        if (r.Distinct().Count() != r.Length)
            throw new ArgumentException($"Layer '{Name}' (RMSNormalization): axes [{string.Join(", ", Axis)}] name the same axis twice for input shape {ShapeUtils.Format(shape)}.", "axis");
        Array.Sort(r);
        return r;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        var axes = NormalizeAxes(inputShape);
        var dims = new long[axes.Length];
        for (int i = 0; i < axes.Length; i++)
            dims[i] = inputShape[axes[i]] is int d ? d
                : throw new ArgumentException($"Layer '{Name}' (RMSNormalization): the dimension of axis {axes[i]} must be known; got input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        _scale = AddWeight("scale", dims, "ones");
        _axes = axes;
        _broadcast = Enumerable.Repeat(1L, inputShape.Length).ToArray();
        foreach (var a in axes) _broadcast[a] = inputShape[a]!.Value;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var rrms = inputs.square().mean(_axes, keepdim: true).add(Epsilon).rsqrt();
        return inputs.mul(rrms).mul(_scale!.Value.reshape(_broadcast!));
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        bool ok = InputShape == null || x.dim() == InputShape.Length;
        for (int i = 0; ok && i < _axes.Length; i++) ok = _axes[i] < x.dim() && x.shape[_axes[i]] == _broadcast![_axes[i]];
        if (!ok)
            throw new ArgumentException(
                $"Input of layer '{Name}' (RMSNormalization) is incompatible: expected shape {ShapeUtils.Format(InputShape)} on the normalized axes, got {ShapeUtils.Format(x.shape)}.", nameof(inputs));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        NormalizeAxes(inputShape);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = AxisIsList ? Axis.ToArray() : Axis[0];
        c["epsilon"] = Epsilon;
        return c;
    }
}
