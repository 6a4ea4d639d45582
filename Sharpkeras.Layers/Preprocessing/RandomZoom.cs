using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly zooms images during training (Keras's <c>RandomZoom</c>): each image is scaled about its center by
/// 1 + z, z drawn uniformly from the height factor range (and independently from the width factor range, or the
/// same z when <c>widthFactor</c> is null, keeping the aspect ratio). Positive values zoom out, negative values zoom
/// in: <c>heightFactor: (0.2, 0.3)</c> zooms out by 20–30 %, <c>(-0.3, -0.2)</c> zooms in by 20–30 %. The identity
/// at inference.
/// </summary>
public sealed class RandomZoom : BaseImagePreprocessingLayer
{
    private readonly double _hLower, _hUpper, _wLower, _wUpper;

    /// <summary>Creates the layer.</summary>
    /// <param name="heightFactor">f in (-1, 1] for [−f, f], or a pair (lower, upper) with values in (-1, 1].</param>
    /// <param name="widthFactor">Same for the width; null zooms both dimensions by the same amount.</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomZoom(FactorRange heightFactor, FactorRange? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear",
        int? seed = null, double fillValue = 0.0, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        (_hLower, _hUpper) = ParseZoomFactor(heightFactor, nameof(heightFactor));
        if (widthFactor is FactorRange wf) (_wLower, _wUpper) = ParseZoomFactor(wf, nameof(widthFactor));
        FillMode = CheckOption(fillMode, nameof(fillMode), ImageOps.FillModes);
        Interpolation = CheckOption(interpolation, nameof(interpolation), ImageOps.AffineInterpolations);
        if (!double.IsFinite(fillValue)) throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomZoom: fillValue must be finite.");
        HeightFactor = heightFactor;
        WidthFactor = widthFactor;
        FillValue = fillValue;
    }

    private (double, double) ParseZoomFactor(FactorRange f, string argument)
    {
        var (lo, hi) = ParseFactor(f, argument, -1, 1, minExclusive: true);
        // Keras: a single number f gives [−f, f] (not clipped).
        return f.IsPair ? (lo, hi) : (-Math.Abs(f.Lower), Math.Abs(f.Lower));
    }

    /// <summary>The height factor as given.</summary>
    public FactorRange HeightFactor { get; }

    /// <summary>The width factor as given, or null (same zoom as the height).</summary>
    public FactorRange? WidthFactor { get; }

    /// <summary>"reflect", "wrap", "constant" or "nearest".</summary>
    public string FillMode { get; }

    /// <summary>"bilinear" or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>The value outside the image with fillMode "constant".</summary>
    public double FillValue { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        if (!training) return images;
        long n = images.shape[0];
        var (h, w) = ImageSize(images);
        var zy = Uniform(n, 1.0 + _hLower, 1.0 + _hUpper);
        var zx = WidthFactor is null ? zy : Uniform(n, 1.0 + _wLower, 1.0 + _wUpper);
        var zeros = torch.zeros([n], dtype: ScalarType.Float64);
        // Keras's zoom matrix: x' = zx·x + (W−1)/2·(1 − zx), y' = zy·y + (H−1)/2·(1 − zy).
        var matrix = torch.stack([zx, zeros, (w - 1) / 2.0 * (1 - zx), zeros, zy, (h - 1) / 2.0 * (1 - zy)], 1);
        return FromNchw(ImageOps.AffineTransform(ToNchw(images), matrix, Interpolation, FillMode, FillValue));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height_factor"] = HeightFactor.ToConfig();
        c["width_factor"] = WidthFactor?.ToConfig();
        c["fill_mode"] = FillMode;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        c["fill_value"] = FillValue;
        return c;
    }
}
