namespace Sharpkeras.Layers;

/// <summary>
/// Dropout of whole 3D feature maps (Keras's <c>SpatialDropout3D</c>): for (batch, dim1, dim2, dim3, channels) volumes
/// ((batch, channels, dim1, dim2, dim3) with <c>dataFormat: "channels_first"</c>), each channel of each sample is dropped
/// entirely with probability <c>rate</c> in training, and the kept channels are scaled by 1/(1 − rate). Identity at inference.
/// </summary>
public sealed class SpatialDropout3D : BaseSpatialDropout
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of channels to drop, in [0, 1).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="seed">Optional seed for reproducible masks.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public SpatialDropout3D(double rate, string? dataFormat = null, int? seed = null, int?[]? inputShape = null, string? name = null)
        : base(rate, seed, inputShape, name)
        => DataFormat = ReshapingArgs.DataFormat(dataFormat, nameof(SpatialDropout3D));

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    protected override int Rank => 5;

    /// <inheritdoc />
    protected override string Layout => DataFormat == "channels_last" ? "(batch, dim1, dim2, dim3, channels)" : "(batch, channels, dim1, dim2, dim3)";

    /// <inheritdoc />
    protected override long[] NoiseShape(long[] s) =>
        DataFormat == "channels_last" ? [s[0], 1, 1, 1, s[4]] : [s[0], s[1], 1, 1, 1];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }
}
