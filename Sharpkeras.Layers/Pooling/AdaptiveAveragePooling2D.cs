namespace Sharpkeras.Layers;

/// <summary>
/// Adaptive average pooling (Keras's <c>AdaptiveAveragePooling2D</c>): the mean over each of <c>outputSize</c> windows per spatial axis
/// of (batch, height, width, channels) — or (batch, channels, height, width) with <c>dataFormat: "channels_first"</c> — whatever the input size
/// (see <see cref="BaseAdaptivePooling"/>).
/// </summary>
public sealed class AdaptiveAveragePooling2D : BaseAdaptivePooling
{
    /// <summary>Creates the layer with one output size for every spatial axis.</summary>
    /// <param name="outputSize">The output length of each spatial axis (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling2D(int outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(2, false, [outputSize], dataFormat, inputShape, name) { }

    /// <summary>Creates the layer with the output sizes as Keras writes them in configs (one int, or one per spatial axis).</summary>
    /// <param name="outputSize">1 or 2 values (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling2D(int[] outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(2, false, outputSize, dataFormat, inputShape, name) { }

    /// <summary>Creates the layer with one output size per spatial axis.</summary>
    /// <param name="outputSize">The output length of each spatial axis (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling2D((int height, int width) outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(2, false, [outputSize.height, outputSize.width], dataFormat, inputShape, name) { }
}
