using StbImageSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// Image files as an indexed source: each gather decodes the files (StbImageSharp), resizes them with
/// TorchSharp's <c>interpolate</c> and stacks them; labels come from one precomputed tensor.
/// </summary>
internal sealed class ImageFileSource : IndexedSource
{
    private static readonly object DecodeGate = new();
    private readonly string[] _paths;
    private readonly Tensor? _labels;
    private readonly int _channels;
    private readonly int _height, _width;
    private readonly string _interpolation;
    private readonly bool _crop, _pad, _channelsFirst;

    public ImageFileSource(string[] paths, Tensor? labels, int channels, int height, int width, string interpolation,
        bool crop, bool pad, bool channelsFirst)
    {
        _paths = paths;
        _labels = labels?.DetachFromDisposeScope();
        _channels = channels;
        _height = height;
        _width = width;
        _interpolation = interpolation;
        _crop = crop;
        _pad = pad;
        _channelsFirst = channelsFirst;
    }

    public override long Count => _paths.Length;

    public override bool InMemory => false;

    public override Tensor[] GatherOne(long index)
    {
        var image = Load(_paths[index]);
        return _labels is null ? [image] : [image, _labels.select(0, index)];
    }

    public override Tensor[] Gather(long[] indices, int count)
    {
        var images = new Tensor[count];
        try
        {
            for (int j = 0; j < count; j++) images[j] = Load(_paths[indices[j]]);
            var batch = torch.stack(images, 0);
            if (_labels is null) return [batch];
            using var idx = torch.tensor(indices.AsSpan(0, count).ToArray(), dtype: ScalarType.Int64);
            return [batch, _labels.index_select(0, idx)];
        }
        finally
        {
            foreach (var im in images) im?.Dispose();
        }
    }

    /// <summary>Decodes one file to (height, width, channels) float32 in [0, 255] (channels first if asked).</summary>
    private Tensor Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot read image file '{path}': {e.Message}", e);
        }
        ImageResult decoded;
        try
        {
            var comp = _channels switch { 1 => ColorComponents.Grey, 4 => ColorComponents.RedGreenBlueAlpha, _ => ColorComponents.RedGreenBlue };
            lock (DecodeGate) decoded = ImageResult.FromMemory(bytes, comp);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"Cannot decode image file '{path}' (PNG, JPEG, BMP or GIF expected): {e.Message}", e);
        }
        if (decoded?.Data is null || decoded.Width <= 0 || decoded.Height <= 0 || decoded.Data.Length != (long)decoded.Width * decoded.Height * _channels)
            throw new InvalidDataException($"Cannot decode image file '{path}': the decoder returned no pixel data.");

        using var scope = torch.NewDisposeScope();
        var img = torch.tensor(decoded.Data, new long[] { decoded.Height, decoded.Width, _channels }, dtype: ScalarType.Byte)
            .to(ScalarType.Float32).permute(2, 0, 1).unsqueeze(0); // (1, C, H, W)
        img = Resize(img, decoded.Height, decoded.Width);
        img = img.squeeze(0);
        if (!_channelsFirst) img = img.permute(1, 2, 0);
        return img.contiguous().MoveToOuterDisposeScope();
    }

    private Tensor Resize(Tensor img, int h, int w)
    {
        if (_crop)
        {
            // Keras's smart_resize: the largest centered window with the target aspect ratio.
            int cropH = Math.Max(Math.Min(h, (int)((double)w * _height / _width)), 1);
            int cropW = Math.Max(Math.Min(w, (int)((double)h * _width / _height)), 1);
            int top = (int)((h - cropH) / 2.0), left = (int)((w - cropW) / 2.0);
            img = img.narrow(2, top, cropH).narrow(3, left, cropW);
            return Interpolate(img, cropH, cropW, _height, _width);
        }
        if (_pad)
        {
            // tf.image.resize_with_pad: fit inside the target keeping the aspect ratio, pad with zeros.
            double ratio = Math.Max((double)w / _width, (double)h / _height);
            double rhF = h / ratio, rwF = w / ratio;
            int rh = (int)Math.Floor(rhF), rw = (int)Math.Floor(rwF);
            int padTop = Math.Max(0, (int)Math.Floor((_height - rhF) / 2)), padLeft = Math.Max(0, (int)Math.Floor((_width - rwF) / 2));
            var resized = Interpolate(img, h, w, rh, rw);
            return torch.nn.functional.pad(resized, [padLeft, _width - rw - padLeft, padTop, _height - rh - padTop]);
        }
        return Interpolate(img, h, w, _height, _width);
    }

    private Tensor Interpolate(Tensor img, int h, int w, int toH, int toW)
    {
        if (h == toH && w == toW) return img;
        var size = new long[] { toH, toW };
        return _interpolation switch
        {
            "nearest" => torch.nn.functional.interpolate(img, size, mode: InterpolationMode.NearestExact),
            "bicubic" => torch.nn.functional.interpolate(img, size, mode: InterpolationMode.Bicubic, align_corners: false).clamp(0, 255),
            "area" => torch.nn.functional.interpolate(img, size, mode: InterpolationMode.Area),
            _ => torch.nn.functional.interpolate(img, size, mode: InterpolationMode.Bilinear, align_corners: false),
        };
    }
}
