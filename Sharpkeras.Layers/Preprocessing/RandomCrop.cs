using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Randomly crops images to (height, width) during training (Keras's <c>RandomCrop</c>). Each image of the batch
/// gets its own crop position, drawn uniformly among all windows that fit (the batch is cropped in one gather,
/// no per-image loop). At inference, and in training when the image is not larger than the target in both
/// dimensions, the largest centered window with the target aspect ratio is resized (bilinear) to (height, width).
/// </summary>
public sealed class RandomCrop : BaseImagePreprocessingLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height (&gt; 0).</param>
    /// <param name="width">Output width (&gt; 0).</param>
    /// <param name="seed">Seed of the layer's random generator.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RandomCrop(int height, int width, int? seed = null, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(dataFormat, seed, true, inputShape, name)
    {
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, $"RandomCrop: height must be a positive integer; got {height}.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, $"RandomCrop: width must be a positive integer; got {width}.");
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
        if (training && h > Height && w > Width)
        {
            long n = images.shape[0];
            var device = images.device;
            var hs = HostToDevice.To(torch.randint(0, h - Height + 1, [n], dtype: ScalarType.Int64, generator: RandomGenerator), device);
            var ws = HostToDevice.To(torch.randint(0, w - Width + 1, [n], dtype: ScalarType.Int64, generator: RandomGenerator), device);
            var rows = hs.unsqueeze(1) + torch.arange(Height, dtype: ScalarType.Int64, device: device);  // (N, height)
            var cols = ws.unsqueeze(1) + torch.arange(Width, dtype: ScalarType.Int64, device: device);   // (N, width)
            var batch = torch.arange(n, dtype: ScalarType.Int64, device: device).reshape(n, 1, 1);
            var nhwc = ChannelsLast ? images : images.permute(0, 2, 3, 1);
            var cropped = nhwc.index(TensorIndex.Tensor(batch), TensorIndex.Tensor(rows.unsqueeze(2)), TensorIndex.Tensor(cols.unsqueeze(1)));
            return ChannelsLast ? cropped : cropped.permute(0, 3, 1, 2);
        }
        if (h == Height && w == Width) return images;
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
        c["seed"] = Seed;
        return c;
    }
}
