namespace Sharpkeras.Layers;

/// <summary>Keras's alias <c>MaxPool1D</c> of <see cref="MaxPooling1D"/>: the same layer (see <see cref="Sharpkeras.Registry.LayerAliases"/>); this class only lets <c>new MaxPool1D(…)</c> compile.</summary>
public sealed class MaxPool1D : MaxPooling1D
{
    /// <summary>Creates the layer; see <see cref="MaxPooling1D"/>.</summary>
    /// <param name="poolSize">The window size (default 2).</param>
    /// <param name="strides">The strides (default: <paramref name="poolSize"/>).</param>
    /// <param name="padding">"valid" or "same".</param>
    /// <param name="dataFormat">"channels_last" (batch, steps, channels) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension.</param>
    /// <param name="name">Layer name (default "max_pooling1d", "max_pooling1d_1", … like Keras).</param>
    public MaxPool1D(IntTuple? poolSize = null, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name)
    {
    }
}
