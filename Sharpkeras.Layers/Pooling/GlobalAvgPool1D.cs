namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>GlobalAvgPool1D</c> of <see cref="GlobalAveragePooling1D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new GlobalAvgPool1D(…)</c> compile.</summary>
public sealed class GlobalAvgPool1D : GlobalAveragePooling1D
{
    /// <summary>Creates the layer; see <see cref="GlobalAveragePooling1D"/>.</summary>
    /// <param name="dataFormat">"channels_last" (batch, steps, channels) or "channels_first".</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1.</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "global_average_pooling1d", "global_average_pooling1d_1", … like Keras).</param>
    public GlobalAvgPool1D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, keepDims, inputShape, name)
    {
    }
}
