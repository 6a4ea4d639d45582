using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Global average pooling (Keras's <c>GlobalAveragePooling1D</c>): the mean over every spatial position of (batch, steps, channels),
/// giving (batch, channels), or (batch, 1, channels) with <c>keepDims</c>.
/// </summary>
/// <remarks>With a mask (batch, steps), e.g. from an Embedding with maskZero, the mean is over the unmasked
/// steps only: sum(x·mask) / sum(mask), as in Keras. The output carries no mask.</remarks>
public class GlobalAveragePooling1D : BaseGlobalPooling
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="dataFormat">"channels_last" (batch, steps, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1 (Keras's <c>keepdims</c>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GlobalAveragePooling1D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(1, false, dataFormat, keepDims, inputShape, name)
    {
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask)
    {
        if (mask is null) return Call(inputs, training);
        bool last = DataFormat == "channels_last";
        if (mask.dim() != 2 || mask.shape[0] != inputs.shape[0] || mask.shape[1] != inputs.shape[last ? 1 : 2])
            throw new ArgumentException(
                $"Layer '{Name}' (GlobalAveragePooling1D): the mask must have shape (batch, steps) = ({inputs.shape[0]}, {inputs.shape[last ? 1 : 2]}); got {ShapeUtils.Format(mask.shape)}.", nameof(mask));
        var m = mask.to(inputs.dtype).unsqueeze(last ? 2 : 1);
        long axis = last ? 1 : 2;
        return inputs.mul(m).sum(axis, keepdim: KeepDims).div(m.sum(axis, keepdim: KeepDims));
    }
}
