using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Repeats each step of a (batch, steps, features) input <c>size</c> times along the steps axis (Keras's
/// <c>UpSampling1D</c>, channels_last only, as in Keras). Integer and bool inputs keep their type.
/// </summary>
public sealed class UpSampling1D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="size">The upsampling factor (&gt; 0, Keras's default 2).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling1D(int size = 2, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, $"UpSampling1D: size must be a positive integer; got {size}.");
        Size = size;
        AcceptsIntegerInput = true;
    }

    /// <summary>The upsampling factor.</summary>
    public int Size { get; }

    private const string Layout = "(batch, steps, features)";

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 3, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => ReshapingArgs.CheckRank(this, inputs[0].shape, 3, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return inputs.repeat_interleave(Size, 1);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 3, Layout);
        return [inputShape[0], inputShape[1] * Size, inputShape[2]];
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = Size;
        return c;
    }
}
