using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly changes the brightness of images during training (Keras's <c>RandomBrightness</c>): each image gets
/// <c>delta = u · (high − low)</c> added to every pixel, u drawn uniformly from the factor range (a single number f
/// means [−f, f]), and the result is clipped to <c>valueRange</c> (default [0, 255]). The identity at inference.
/// </summary>
public sealed class RandomBrightness : BaseImagePreprocessingLayer
{
    private readonly double _lower, _upper;

    /// <summary>Creates the layer.</summary>
    /// <param name="factor">f in [-1, 1] for [−f, f], or a pair (lower, upper) in [-1, 1]: the fraction of the value range to add.</param>
    /// <param name="valueRange">The range of the pixel values (low, high) (default (0, 255)).</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomBrightness(FactorRange factor, (double low, double high)? valueRange = null, int? seed = null, string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        (_lower, _upper) = ParseFactor(factor, nameof(factor), -1, 1);
        ValueRange = CheckValueRange(valueRange ?? (0, 255), nameof(RandomBrightness));
        Factor = factor;
    }

    internal static (double low, double high) CheckValueRange((double low, double high) range, string layer)
    {
        if (!double.IsFinite(range.low) || !double.IsFinite(range.high) || range.low == range.high)
            throw new ArgumentException(
                FormattableString.Invariant($"{layer}: valueRange must be two different finite numbers (low, high); got ({range.low}, {range.high})."), "valueRange");
        return range.low < range.high ? range : (range.high, range.low);
    }

    /// <summary>The factor as given.</summary>
    public FactorRange Factor { get; }

    /// <summary>The range of the pixel values (low, high).</summary>
    public (double low, double high) ValueRange { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        if (!training) return images;
        long n = images.shape[0];
        var delta = HostToDevice.To(Uniform(n, _lower, _upper) * (ValueRange.high - ValueRange.low), images.device, images.dtype).reshape(n, 1, 1, 1);
        return (images + delta).clamp(ValueRange.low, ValueRange.high);
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
