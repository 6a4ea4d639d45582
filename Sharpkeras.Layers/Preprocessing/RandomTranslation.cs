using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly translates images during training (Keras's <c>RandomTranslation</c>): each image shifts by
/// dy = u·H rows and dx = v·W columns, u and v drawn uniformly from the height and width factor ranges (a single
/// number f means [−f, f]; positive values move the content down / right). Points outside the image are filled
/// per <c>fillMode</c>. The identity at inference.
/// </summary>
public sealed class RandomTranslation : BaseImagePreprocessingLayer
{
    private readonly double _hLower, _hUpper, _wLower, _wUpper;

    /// <summary>Creates the layer.</summary>
    /// <param name="heightFactor">A fraction of the height, f in [-1, 1] for [−f, f], or a pair (lower, upper) in [-1, 1].</param>
    /// <param name="widthFactor">A fraction of the width, likewise.</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomTranslation(FactorRange heightFactor, FactorRange widthFactor, string fillMode = "reflect", string interpolation = "bilinear",
        int? seed = null, double fillValue = 0.0, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        (_hLower, _hUpper) = ParseFactor(heightFactor, nameof(heightFactor), -1, 1);
        (_wLower, _wUpper) = ParseFactor(widthFactor, nameof(widthFactor), -1, 1);
        FillMode = CheckOption(fillMode, nameof(fillMode), ImageOps.FillModes);
        Interpolation = CheckOption(interpolation, nameof(interpolation), ImageOps.AffineInterpolations);
        if (!double.IsFinite(fillValue)) throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomTranslation: fillValue must be finite.");
        HeightFactor = heightFactor;
        WidthFactor = widthFactor;
        FillValue = fillValue;
    }

    /// <summary>The height factor as given.</summary>
    public FactorRange HeightFactor { get; }

    /// <summary>The width factor as given.</summary>
    public FactorRange WidthFactor { get; }

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
        var ty = Uniform(n, _hLower, _hUpper) * h;
        var tx = Uniform(n, _wLower, _wUpper) * w;
        var ones = torch.ones([n], dtype: ScalarType.Float64);
        var zeros = torch.zeros([n], dtype: ScalarType.Float64);
        // Keras's translation matrix: x' = x − dx, y' = y − dy.
        var matrix = torch.stack([ones, zeros, -tx, zeros, ones, -ty], 1);
        return FromNchw(ImageOps.AffineTransform(ToNchw(images), matrix, Interpolation, FillMode, FillValue));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height_factor"] = HeightFactor.ToConfig();
        c["width_factor"] = WidthFactor.ToConfig();
        c["fill_mode"] = FillMode;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        c["fill_value"] = FillValue;
        return c;
    }
}
