using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Rescales inputs: <c>inputs · scale + offset</c> (Keras's <c>Rescaling</c>), e.g. <c>new Rescaling(1.0 / 255)</c>
/// maps [0, 255] to [0, 1] and <c>new Rescaling(1.0 / 127.5, offset: -1)</c> maps it to [-1, 1]. Integer inputs
/// are cast to float32. Works on any shape, in training and inference alike.
/// </summary>
public sealed class Rescaling : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="scale">The factor (a finite number).</param>
    /// <param name="offset">The value added after scaling (a finite number).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Rescaling(double scale, double offset = 0.0, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (!double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"Rescaling: scale must be a finite number; got {scale}.");
        if (!double.IsFinite(offset))
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Rescaling: offset must be a finite number; got {offset}.");
        Scale = scale;
        Offset = offset;
        SupportsMasking = true;
    }

    /// <summary>The factor.</summary>
    public double Scale { get; }

    /// <summary>The value added after scaling.</summary>
    public double Offset { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var y = Scale == 1.0 ? inputs : inputs.mul(Scale);
        return Offset == 0.0 ? y : y.add(Offset);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["scale"] = Scale;
        c["offset"] = Offset;
        return c;
    }
}
