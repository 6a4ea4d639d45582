using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Resizes images to (height, width) (Keras's <c>Resizing</c>): "bilinear" (default) and "bicubic" with
/// half-pixel centers (align_corners = false), "nearest" picks the source pixel ⌊(i + ½)·in/out⌋. With
/// <c>cropToAspectRatio</c> the largest centered window of the target aspect ratio is resized (no
/// distortion); with <c>padToAspectRatio</c> the image is padded with <c>fillValue</c> to that ratio first.
/// Deterministic: the same in training and inference.
/// </summary>
public sealed class Resizing : BaseImagePreprocessingLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height (&gt; 0).</param>
    /// <param name="width">Output width (&gt; 0).</param>
    /// <param name="interpolation">"bilinear", "nearest" or "bicubic".</param>
    /// <param name="cropToAspectRatio">Whether to crop to the target aspect ratio before resizing.</param>
    /// <param name="padToAspectRatio">Whether to pad to the target aspect ratio before resizing.</param>
    /// <param name="fillMode">How padding is filled: only "constant" (Keras's only mode).</param>
    /// <param name="fillValue">The padding value.</param>
    /// <param name="antialias">Whether to antialias when downsampling (bilinear and bicubic).</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false,
        bool padToAspectRatio = false, string fillMode = "constant", double fillValue = 0.0, bool antialias = false,
        string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, null, false, inputShape, name)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, $"Resizing: height must be a positive integer; got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"Resizing: width must be a positive integer; got {width}.");
        Interpolation = CheckOption(interpolation, nameof(interpolation), ImageOps.ResizeInterpolations);
        FillMode = CheckOption(fillMode, nameof(fillMode), ["constant"]);
        if (cropToAspectRatio && padToAspectRatio)
            throw new ArgumentException("Resizing: only one of cropToAspectRatio and padToAspectRatio can be true.", nameof(padToAspectRatio));
        if (!double.IsFinite(fillValue)) throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "Resizing: fillValue must be finite.");
        Height = height;
        Width = width;
        CropToAspectRatio = cropToAspectRatio;
        PadToAspectRatio = padToAspectRatio;
        FillValue = fillValue;
        Antialias = antialias;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>"bilinear", "nearest" or "bicubic".</summary>
    public string Interpolation { get; }

    /// <summary>Whether the image is cropped to the target aspect ratio first.</summary>
    public bool CropToAspectRatio { get; }

    /// <summary>Whether the image is padded to the target aspect ratio first.</summary>
    public bool PadToAspectRatio { get; }

    /// <summary>"constant".</summary>
    public string FillMode { get; }

    /// <summary>The padding value.</summary>
    public double FillValue { get; }

    /// <summary>Whether downsampling is antialiased.</summary>
    public bool Antialias { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        var x = ToNchw(images);
        if (CropToAspectRatio) x = ImageOps.CropToAspectRatio(x, Height, Width);
        else if (PadToAspectRatio) x = ImageOps.PadToAspectRatio(x, Height, Width, FillValue);
        return FromNchw(ImageOps.Resize(x, Height, Width, Interpolation, Antialias));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => WithSize(inputShape, Height, Width);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height"] = Height;
        c["width"] = Width;
        c["interpolation"] = Interpolation;
        c["crop_to_aspect_ratio"] = CropToAspectRatio;
        c["pad_to_aspect_ratio"] = PadToAspectRatio;
        c["fill_mode"] = FillMode;
        c["fill_value"] = FillValue;
        c["antialias"] = Antialias;
        return c;
    }
}
