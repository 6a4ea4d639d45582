namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>GlobalAvgPool3D</c> of <see cref="GlobalAveragePooling3D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new GlobalAvgPool3D(…)</c> compile.</summary>
public sealed class GlobalAvgPool3D : GlobalAveragePooling3D
{
    /// <summary>Creates the layer; see <see cref="GlobalAveragePooling3D"/>.</summary>
    /// <param name="dataFormat">"channels_last" (batch, depth, height, width, channels) or "channels_first".</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1.</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "global_average_pooling3d", "global_average_pooling3d_1", … like Keras).</param>
    public GlobalAvgPool3D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, keepDims, inputShape, name)
    {
    }
}
