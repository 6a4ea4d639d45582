namespace Sharpkeras.Layers;

/// <summary>
/// Global max pooling (Keras's <c>GlobalMaxPooling2D</c>): the maximum over every spatial position of (batch, height, width, channels),
/// giving (batch, channels), or (batch, 1, 1, channels) with <c>keepDims</c>.
/// </summary>
public class GlobalMaxPooling2D : BaseGlobalPooling
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1 (Keras's <c>keepdims</c>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GlobalMaxPooling2D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(2, true, dataFormat, keepDims, inputShape, name)
    {
    }
}
