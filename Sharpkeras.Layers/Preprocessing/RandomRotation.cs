using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly rotates images during training (Keras's <c>RandomRotation</c>): each image turns about its center by
/// an angle drawn uniformly from [lower·360°, upper·360°] (a single <c>factor</c> f means [−f, f] of a full turn);
/// the rotation is applied to the whole batch at once with <c>affine_grid</c> + <c>grid_sample</c>. Points outside
/// the image are filled per <c>fillMode</c>. The identity at inference.
/// </summary>
public sealed class RandomRotation : BaseImagePreprocessingLayer
{
    private readonly double _lower;
    private readonly double _upper;

    /// <summary>Creates the layer.</summary>
    /// <param name="factor">A fraction of a full turn, f in [-1, 1] for [−f, f], or a pair (lower, upper) in [-1, 1].</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomRotation(FactorRange factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
        double fillValue = 0.0, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        (_lower, _upper) = ParseFactor(factor, nameof(factor), -1, 1);
        FillMode = CheckOption(fillMode, nameof(fillMode), ImageOps.FillModes);
        Interpolation = CheckOption(interpolation, nameof(interpolation), ImageOps.AffineInterpolations);
        if (!double.IsFinite(fillValue)) throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomRotation: fillValue must be finite.");
        Factor = factor;
        FillValue = fillValue;
    }

    /// <summary>The factor as given.</summary>
    public FactorRange Factor { get; }

    /// <summary>The angle range as fractions of a full turn (lower, upper).</summary>
    public (double lower, double upper) Range => (_lower, _upper);

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
        var angle = Uniform(n, _lower * 360.0, _upper * 360.0) * (Math.PI / 180.0);
        var cos = angle.cos();
        var sin = angle.sin();
        double cx = 0.5 * (w - 1), cy = 0.5 * (h - 1);
        // Keras's rotation about the image center: x' = cos·x − sin·y + a2, y' = sin·x + cos·y + b2.
        var matrix = torch.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos], 1);
        return FromNchw(ImageOps.AffineTransform(ToNchw(images), matrix, Interpolation, FillMode, FillValue));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["factor"] = Factor.ToConfig();
        c["fill_mode"] = FillMode;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        c["fill_value"] = FillValue;
        return c;
    }
}
