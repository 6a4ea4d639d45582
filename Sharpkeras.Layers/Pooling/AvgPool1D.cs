namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>AvgPool1D</c> of <see cref="AveragePooling1D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new AvgPool1D(…)</c> compile.</summary>
public sealed class AvgPool1D : AveragePooling1D
{
    /// <summary>Creates the layer; see <see cref="AveragePooling1D"/>.</summary>
    /// <param name="poolSize">The window size (default 2).</param>
    /// <param name="strides">The strides (default: <paramref name="poolSize"/>).</param>
    /// <param name="padding">"valid" or "same".</param>
    /// <param name="dataFormat">"channels_last" (batch, steps, channels) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "average_pooling1d", "average_pooling1d_1", … like Keras).</param>
    public AvgPool1D(IntTuple? poolSize = null, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name)
    {
    }
}
