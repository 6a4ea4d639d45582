using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Returns its input unchanged (Keras's <c>Identity</c>), a placeholder where no operation is wanted. Masks pass
/// through; integer and bool inputs keep their type.
/// </summary>
public sealed class Identity : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Identity(int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        SupportsMasking = true;
        AcceptsIntegerInput = true;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => inputs;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);
}
