namespace Sharpkeras.Layers;

/// <summary>
/// Adaptive average pooling (Keras's <c>AdaptiveAveragePooling3D</c>): the mean over each of <c>outputSize</c> windows per spatial axis
/// of (batch, depth, height, width, channels) — or (batch, channels, depth, height, width) with <c>dataFormat: "channels_first"</c> — whatever the input size
/// (see <see cref="BaseAdaptivePooling"/>).
/// </summary>
public sealed class AdaptiveAveragePooling3D : BaseAdaptivePooling
{
    /// <summary>Creates the layer with one output size for every spatial axis.</summary>
    /// <param name="outputSize">The output length of each spatial axis (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling3D(int outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(3, false, [outputSize], dataFormat, inputShape, name) { }

    /// <summary>Creates the layer with the output sizes as Keras writes them in configs (one int, or one per spatial axis).</summary>
    /// <param name="outputSize">1 or 3 values (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling3D(int[] outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(3, false, outputSize, dataFormat, inputShape, name) { }

    /// <summary>Creates the layer with one output size per spatial axis.</summary>
    /// <param name="outputSize">The output length of each spatial axis (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveAveragePooling3D((int depth, int height, int width) outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(3, false, [outputSize.depth, outputSize.height, outputSize.width], dataFormat, inputShape, name) { }
}
