namespace Sharpkeras.Layers;

/// <summary>
/// Global average pooling (Keras's <c>GlobalAveragePooling3D</c>): the mean over every spatial position of (batch, depth, height, width, channels),
/// giving (batch, channels), or (batch, 1, 1, 1, channels) with <c>keepDims</c>.
/// </summary>
public class GlobalAveragePooling3D : BaseGlobalPooling
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="dataFormat">"channels_last" (batch, depth, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1 (Keras's <c>keepdims</c>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GlobalAveragePooling3D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(3, false, dataFormat, keepDims, inputShape, name)
    {
    }
}
