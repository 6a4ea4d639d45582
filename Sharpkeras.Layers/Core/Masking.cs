using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Masks timesteps whose features all equal <c>maskValue</c> (Keras's <c>Masking</c>): for input (batch, steps, features)
/// the mask is <c>any(x != maskValue, axis=-1)</c>; masked timesteps are set to 0 and later layers that support masking
/// (RNNs, losses and metrics) skip them.
/// </summary>
public sealed class Masking : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maskValue">The padding value (default 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Masking(double maskValue = 0.0, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (double.IsNaN(maskValue)) throw new ArgumentOutOfRangeException(nameof(maskValue), maskValue, "Masking: maskValue must not be NaN.");
        MaskValue = maskValue;
        SupportsMasking = true;
    }

    /// <summary>The padding value.</summary>
    public double MaskValue { get; }

    /// <inheritdoc />
    protected override bool ProducesMask => true;

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var keep = inputs.ne(MaskValue).any(-1, keepdim: true);
        return torch.where(keep, inputs, torch.zeros_like(inputs));
    }

    /// <inheritdoc />
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.ne(MaskValue).any(-1);

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["mask_value"] = MaskValue;
        return c;
    }
}
