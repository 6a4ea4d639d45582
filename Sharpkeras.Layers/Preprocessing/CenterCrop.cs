using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Crops the central (height, width) window of each image (Keras's <c>CenterCrop</c>): the window starts at
/// ⌊(H − height)/2⌋, ⌊(W − width)/2⌋. An image smaller than the target in either dimension is instead cropped
/// to the target aspect ratio and resized (bilinear), like Keras's <c>smart_resize</c>. Deterministic.
/// </summary>
public sealed class CenterCrop : BaseImagePreprocessingLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height (&gt; 0).</param>
    /// <param name="width">Output width (&gt; 0).</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public CenterCrop(int height, int width, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, null, false, inputShape, name)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, $"CenterCrop: height must be a positive integer; got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"CenterCrop: width must be a positive integer; got {width}.");
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    private protected override Tensor TransformImages(Tensor images, bool training)
    {
        var (h, w) = ImageSize(images);
        long dh = h - Height, dw = w - Width;
        if (dh >= 0 && dw >= 0)
        {
            int hAxis = ChannelsLast ? 1 : 2;
            return images.narrow(hAxis, dh / 2, Height).narrow(hAxis + 1, dw / 2, Width);
        }
        var x = ImageOps.CropToAspectRatio(ToNchw(images), Height, Width);
        return FromNchw(ImageOps.Resize(x, Height, Width, "bilinear"));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => WithSize(inputShape, Height, Width);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height"] = Height;
        c["width"] = Width;
        return c;
    }
}
