namespace Sharpkeras.Layers;

/// <summary>
/// Dropout of whole 1D feature maps (Keras's <c>SpatialDropout1D</c>): for a (batch, steps, channels) input, each
/// channel of each sample is dropped entirely (all steps) with probability <c>rate</c> in training, and the kept
/// channels are scaled by 1/(1 − rate). Identity at inference.
/// </summary>
public sealed class SpatialDropout1D : BaseSpatialDropout
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of channels to drop, in [0, 1).</param>
    /// <param name="seed">Optional seed for reproducible masks.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public SpatialDropout1D(double rate, int? seed = null, int?[]? inputShape = null, string? name = null)
        : base(rate, seed, inputShape, name) { }

    /// <inheritdoc />
    protected override int Rank => 3;

    /// <inheritdoc />
    protected override string Layout => "(batch, steps, channels)";

    /// <inheritdoc />
    protected override long[] NoiseShape(long[] inputShape) => [inputShape[0], 1, inputShape[2]];
}
