namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>GlobalAvgPool2D</c> of <see cref="GlobalAveragePooling2D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new GlobalAvgPool2D(…)</c> compile.</summary>
public sealed class GlobalAvgPool2D : GlobalAveragePooling2D
{
    /// <summary>Creates the layer; see <see cref="GlobalAveragePooling2D"/>.</summary>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first".</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1.</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "global_average_pooling2d", "global_average_pooling2d_1", … like Keras).</param>
    public GlobalAvgPool2D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, keepDims, inputShape, name)
    {
    }
}
