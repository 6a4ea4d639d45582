using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Removes steps at the start and end of a (batch, steps, features) input (Keras's <c>Cropping1D</c>, channels_last
/// only, as in Keras). Integer and bool inputs keep their type.
/// </summary>
public sealed class Cropping1D : Layer
{
    /// <summary>The same number of steps cut at both ends.</summary>
    /// <param name="cropping">Steps removed at the start and at the end (&gt;= 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping1D(int cropping, int?[]? inputShape = null, string? name = null)
        : this((cropping, cropping), inputShape, name) { }

    /// <summary>Steps cut (at the start, at the end); Keras's default is (1, 1).</summary>
    /// <param name="cropping">(start, end), each &gt;= 0.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping1D((int start, int end) cropping, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        Cropping = ReshapingArgs.Pair(cropping.start, cropping.end, nameof(cropping), "Cropping1D");
        AcceptsIntegerInput = true;
    }

    /// <summary>Keras's default: one step cut at each end.</summary>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping1D(int?[]? inputShape = null, string? name = null) : this((1, 1), inputShape, name) { }

    /// <summary>Cropping as Keras writes it in configs: one int (both ends) or [start, end].</summary>
    /// <param name="cropping">1 or 2 non-negative values.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping1D(int[] cropping, int?[]? inputShape = null, string? name = null)
        : this(ReshapingArgs.Pair(cropping, nameof(cropping), "Cropping1D"), inputShape, name) { }

    /// <summary>Steps removed (at the start, at the end).</summary>
    public (int Start, int End) Cropping { get; }

    private const string Layout = "(batch, steps, features)";

    private void CheckLength(int? steps, Func<string> shape)
    {
        if (steps is int n && Cropping.Start + Cropping.End >= n)
            throw new ArgumentException(
                $"Layer '{Name}' (Cropping1D): cropping ({Cropping.Start}, {Cropping.End}) must remove fewer steps than the input has; got input shape {shape()}.");
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 3, Layout);
        CheckLength(inputShape[1], () => ShapeUtils.Format(inputShape));
    }

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs)
    {
        var s = inputs[0].shape;
        ReshapingArgs.CheckRank(this, s, 3, Layout);
        CheckLength((int)s[1], () => ShapeUtils.Format(s));
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return inputs.narrow(1, Cropping.Start, inputs.shape[1] - Cropping.Start - Cropping.End);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        Build(inputShape);
        return [inputShape[0], inputShape[1] - Cropping.Start - Cropping.End, inputShape[2]];
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["cropping"] = new[] { Cropping.Start, Cropping.End };
        return c;
    }
}
