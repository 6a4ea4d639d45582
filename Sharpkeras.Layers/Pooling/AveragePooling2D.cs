namespace Sharpkeras.Layers;

/// <summary>
/// Average pooling over 2 spatial dimensions (Keras's <c>AveragePooling2D</c>): each output is the mean of the real (unpadded) cells
/// under a <c>poolSize</c> window of (batch, height, width, channels), moved by <c>strides</c>.
/// </summary>
/// <remarks>See <see cref="BasePooling"/> for the output size and "same" padding.</remarks>
public class AveragePooling2D : BasePooling
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="poolSize">The window size: an int for every dimension, or one per dimension (default 2).</param>
    /// <param name="strides">The strides (default: <paramref name="poolSize"/>).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AveragePooling2D(IntTuple? poolSize = null, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(2, false, poolSize ?? 2, strides, padding, dataFormat, inputShape, name)
    {
    }
}
