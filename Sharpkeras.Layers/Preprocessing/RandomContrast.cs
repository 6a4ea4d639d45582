using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly adjusts the contrast of images during training (Keras's <c>RandomContrast</c>): each image gets a
/// factor c drawn uniformly from [1 − lower, 1 + upper], and every pixel value x of a channel becomes
/// <c>(x − mean) · c + mean</c>, mean being that channel's mean over the image; the result is clipped to
/// <c>valueRange</c> (default [0, 255]). A single <c>factor</c> f means lower = upper = f. The identity at inference.
/// </summary>
public sealed class RandomContrast : BaseImagePreprocessingLayer
{
    private readonly double _lower, _upper;

    /// <summary>Creates the layer.</summary>
    /// <param name="factor">f in [0, 1] for contrast factors in [1 − f, 1 + f], or a pair (lower, upper) in [0, 1].</param>
    /// <param name="valueRange">The range of the pixel values (low, high), used for clipping (default (0, 255)).</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomContrast(FactorRange factor, (double low, double high)? valueRange = null, int? seed = null, string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        var (lo, hi) = ParseFactor(factor, nameof(factor), 0, 1);
        (_lower, _upper) = factor.IsPair ? (lo, hi) : (factor.Lower, factor.Lower);
        ValueRange = RandomBrightness.CheckValueRange(valueRange ?? (0, 255), nameof(RandomContrast));
        Factor = factor;
    }

    /// <summary>The factor as given.</summary>
    public FactorRange Factor { get; }

    /// <summary>The range of the pixel values (low, high).</summary>
    public (double low, double high) ValueRange { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        if (!training) return images;
        long n = images.shape[0];
        var c = HostToDevice.To(Uniform(n, 1.0 - _lower, 1.0 + _upper), images.device, images.dtype).reshape(n, 1, 1, 1);
        long[] spatial = ChannelsLast ? [1, 2] : [2, 3];
        var mean = images.mean(spatial, keepdim: true);
        return ((images - mean) * c + mean).clamp(ValueRange.low, ValueRange.high);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["factor"] = Factor.ToConfig();
        c["value_range"] = new[] { ValueRange.low, ValueRange.high };
        c["seed"] = Seed;
        return c;
    }
}
