using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sharpkeras.Layers;

/// <summary>
/// Batched image operations on (N, C, H, W) tensors shared by the preprocessing layers: Keras's resize
/// (with crop/pad to aspect ratio) and Keras's affine transform (pixel-space matrices, fill modes
/// reflect / wrap / constant / nearest) done with <c>affine_grid</c> + <c>grid_sample</c> over the whole batch.
/// </summary>
internal static class ImageOps
{
    public static readonly string[] ResizeInterpolations = ["bilinear", "nearest", "bicubic"];
    public static readonly string[] AffineInterpolations = ["nearest", "bilinear"];
    public static readonly string[] FillModes = ["reflect", "wrap", "constant", "nearest"];

    /// <summary>Keras's (torch backend) resize: bilinear/bicubic with align_corners=false, nearest as "nearest-exact".</summary>
    public static Tensor Resize(Tensor nchw, long height, long width, string interpolation, bool antialias = false)
    {
        if (nchw.shape[2] == height && nchw.shape[3] == width) return nchw;
        return interpolation switch
        {
            "bilinear" => F.interpolate(nchw, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: antialias),
            "bicubic" => F.interpolate(nchw, [height, width], mode: InterpolationMode.Bicubic, align_corners: false, antialias: antialias),
            "nearest" => F.interpolate(nchw, [height, width], mode: InterpolationMode.NearestExact, align_corners: false),
            _ => throw new ArgumentException($"Unknown interpolation '{interpolation}'. Valid: {string.Join(", ", ResizeInterpolations)}.", nameof(interpolation)),
        };
    }

    /// <summary>
    /// The largest centered window of the target aspect ratio (Keras's crop_to_aspect_ratio / smart_resize):
    /// crop height = ⌊W·h/w⌋ and crop width = ⌊H·w/h⌋, each clipped to [1, size], starting at ⌊(size − crop)/2⌋.
    /// </summary>
    public static Tensor CropToAspectRatio(Tensor nchw, long targetHeight, long targetWidth)
    {
        long h = nchw.shape[2], w = nchw.shape[3];
        long cropH = Math.Max(Math.Min(h, (long)((double)(w * targetHeight) / targetWidth)), 1);
        long cropW = Math.Max(Math.Min(w, (long)((double)(h * targetWidth) / targetHeight)), 1);
        long hs = (long)((h - cropH) / 2.0);
        long ws = (long)((w - cropW) / 2.0);
        return nchw.narrow(2, hs, cropH).narrow(3, ws, cropW);
    }

    /// <summary>Keras's pad_to_aspect_ratio: pads both sides with <paramref name="fillValue"/> to the target aspect ratio.</summary>
    public static Tensor PadToAspectRatio(Tensor nchw, long targetHeight, long targetWidth, double fillValue)
    {
        long h = nchw.shape[2], w = nchw.shape[3];
        long padH = Math.Max(h, (long)((double)(w * targetHeight) / targetWidth));
        long padW = Math.Max(w, (long)((double)(h * targetWidth) / targetHeight));
        long hs = (long)((padH - h) / 2.0);
        long ws = (long)((padW - w) / 2.0);
        if (hs <= 0 && ws <= 0) return nchw;
        // Keras pads the same amount on both sides.
        return F.pad(nchw, [ws, ws, hs, hs], PaddingModes.Constant, fillValue);
    }

    /// <summary>
    /// Keras's <c>affine_transform</c>: output pixel (x, y) (x = column, y = row, pixel centers at integers)
    /// takes the input value at (a0·x + a1·y + a2, b0·x + b1·y + b2), one matrix per image.
    /// </summary>
    /// <param name="nchw">Images (N, C, H, W), floating point.</param>
    /// <param name="matrix">(N, 6) rows [a0, a1, a2, b0, b1, b2] (any device; moved to the images').</param>
    /// <param name="interpolation">"bilinear" or "nearest" (round half to even, like Keras).</param>
    /// <param name="fillMode">"reflect" (d c b a | a b c d | d c b a), "wrap" (a b c d | a b c d), "constant", "nearest" (a a | a b c d | d d).</param>
    /// <param name="fillValue">Value outside the image in "constant" mode.</param>
    public static Tensor AffineTransform(Tensor nchw, Tensor matrix, string interpolation, string fillMode, double fillValue)
    {
        long n = nchw.shape[0], c = nchw.shape[1], h = nchw.shape[2], w = nchw.shape[3];
        var dtype = nchw.dtype;
        var m = matrix.to(ScalarType.Float64);
        Tensor Col(int i) => m.select(1, i);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        // Pixel-space matrix A, t  ->  normalized (align_corners = false) theta = S⁻¹AS, S⁻¹(Ac + t − c), S = diag(W/2, H/2).
        var a0 = Col(0); var a1 = Col(1); var a2 = Col(2);
        var b0 = Col(3); var b1 = Col(4); var b2 = Col(5);
        var theta = torch.stack(
        [
            a0, a1 * ((double)h / w), (a0 * cx + a1 * cy + a2 - cx) / (w / 2.0),
            b0 * ((double)w / h), b1, (b0 * cx + b1 * cy + b2 - cy) / (h / 2.0),
        ], 1).reshape(n, 2, 3);
        theta = HostToDevice.To(theta, nchw.device, dtype);
        var grid = F.affine_grid(theta, [n, c, h, w], align_corners: false);

        bool nearest = interpolation == "nearest";
        var mode = nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        var input = nchw;
        if (nearest || fillMode == "wrap")
        {
            // Work in pixel coordinates: round like Keras (half to even) and/or wrap around.
            var px = (grid.select(-1, 0) + 1) * (w / 2.0) - 0.5;
            var py = (grid.select(-1, 1) + 1) * (h / 2.0) - 0.5;
            if (nearest)
            {
                px = px.round();
                py = py.round();
            }
            long gw = w, gh = h;
            if (fillMode == "wrap")
            {
                // Circular 1-pixel padding makes both bilinear neighbours of a wrapped coordinate valid.
                px = px.remainder(w) + 1;
                py = py.remainder(h) + 1;
                input = F.pad(nchw, [1, 1, 1, 1], PaddingModes.Circular);
                gw = w + 2;
                gh = h + 2;
            }
            grid = torch.stack([(px * 2 + 1) / gw - 1, (py * 2 + 1) / gh - 1], -1);
        }
        switch (fillMode)
        {
            case "constant":
                if (fillValue == 0) return F.grid_sample(input, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
                return F.grid_sample(input - fillValue, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false) + fillValue;
            case "reflect":
                return F.grid_sample(input, grid, mode, GridSamplePaddingMode.Reflection, align_corners: false);
            case "nearest":
            case "wrap":
                return F.grid_sample(input, grid, mode, GridSamplePaddingMode.Border, align_corners: false);
            default:
                throw new ArgumentException($"Unknown fill mode '{fillMode}'. Valid: {string.Join(", ", FillModes)}.", nameof(fillMode));
        }
    }
}
