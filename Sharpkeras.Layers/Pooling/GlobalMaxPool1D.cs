namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>GlobalMaxPool1D</c> of <see cref="GlobalMaxPooling1D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new GlobalMaxPool1D(…)</c> compile.</summary>
public sealed class GlobalMaxPool1D : GlobalMaxPooling1D
{
    /// <summary>Creates the layer; see <see cref="GlobalMaxPooling1D"/>.</summary>
    /// <param name="dataFormat">"channels_last" (batch, steps, channels) or "channels_first".</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1.</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "global_max_pooling1d", "global_max_pooling1d_1", … like Keras).</param>
    public GlobalMaxPool1D(string? dataFormat = null, bool keepDims = false, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, keepDims, inputShape, name)
    {
    }
}
