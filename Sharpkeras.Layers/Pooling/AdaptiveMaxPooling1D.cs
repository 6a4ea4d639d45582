namespace Sharpkeras.Layers;

/// <summary>
/// Adaptive max pooling (Keras's <c>AdaptiveMaxPooling1D</c>): the maximum over each of <c>outputSize</c> windows per spatial axis
/// of (batch, steps, channels) — or (batch, channels, steps) with <c>dataFormat: "channels_first"</c> — whatever the input size
/// (see <see cref="BaseAdaptivePooling"/>).
/// </summary>
public sealed class AdaptiveMaxPooling1D : BaseAdaptivePooling
{
    /// <summary>Creates the layer with one output size for every spatial axis.</summary>
    /// <param name="outputSize">The output length of each spatial axis (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveMaxPooling1D(int outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(1, true, [outputSize], dataFormat, inputShape, name) { }

    /// <summary>Creates the layer with the output sizes as Keras writes them in configs (one int, or one per spatial axis).</summary>
    /// <param name="outputSize">1 or 1 values (&gt;= 1).</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AdaptiveMaxPooling1D(int[] outputSize, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(1, true, outputSize, dataFormat, inputShape, name) { }
}
