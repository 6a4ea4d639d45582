namespace Sharpkeras.Layers;

/// <summary>
/// Dropout of whole 2D feature maps (Keras's <c>SpatialDropout2D</c>): for (batch, rows, cols, channels) images
/// ((batch, channels, rows, cols) with <c>dataFormat: "channels_first"</c>), each channel of each sample is dropped
/// entirely with probability <c>rate</c> in training, and the kept channels are scaled by 1/(1 − rate).
/// Identity at inference.
/// </summary>
public sealed class SpatialDropout2D : BaseSpatialDropout
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of channels to drop, in [0, 1).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="seed">Optional seed for reproducible masks.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public SpatialDropout2D(double rate, string? dataFormat = null, int? seed = null, int?[]? inputShape = null, string? name = null)
        : base(rate, seed, inputShape, name)
        => DataFormat = ReshapingArgs.DataFormat(dataFormat, nameof(SpatialDropout2D));

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    protected override int Rank => 4;

    /// <inheritdoc />
    protected override string Layout => DataFormat == "channels_last" ? "(batch, rows, cols, channels)" : "(batch, channels, rows, cols)";

    /// <inheritdoc />
    protected override long[] NoiseShape(long[] s) =>
        DataFormat == "channels_last" ? [s[0], 1, 1, s[3]] : [s[0], s[1], 1, 1];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }
}
