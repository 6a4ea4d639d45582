using Sharpkeras.Layers;

namespace Sharpkeras.Onnx;

/// <summary>The reshaping layers: Flatten, Reshape, Permute, padding, cropping, up-sampling and RepeatVector.</summary>
internal static class OnnxReshaping
{
    /// <summary>Converts <paramref name="layer"/> if it is a reshaping layer; null otherwise.</summary>
    public static string? TryConvert(OnnxGraphBuilder g, Layer layer, OnnxValue x, int?[] outShape, string hint, string desc)
    {
        int rank = x.Shape.Length;
        switch (layer)
        {
            case Flatten fl:
            {
                var input = x.Name;
                // Keras flattens channels_first inputs in channels_last order.
                if (fl.DataFormat == "channels_first" && rank > 2)
                    input = g.Transpose(input, [0, .. Enumerable.Range(2, rank - 2).Select(i => (long)i), 1], hint);
                return g.Node("Flatten", [input], hint, ("axis", 1L));
            }
            case Reshape rsh:
                return g.Reshape(x.Name, [0, .. rsh.TargetShape.Select(d => (long)d)], hint);
            case Permute perm:
                return g.Transpose(x.Name, [0, .. perm.Dims.Select(d => (long)d)], hint);
            case RepeatVector rv:
                // (batch, features) -> (batch, n, features)
                return g.Node("Tile", [g.Unsqueeze(x.Name, [1], hint), g.Int64([1, rv.N, 1], hint + "/repeats")], hint);
            case ZeroPadding1D zp:
            {
                int steps = zp.DataFormat == "channels_last" ? 1 : 2;
                var pads = new long[2 * rank];
                pads[steps] = zp.Padding.Left;
                pads[rank + steps] = zp.Padding.Right;
                return g.Pad(x.Name, pads, hint);
            }
            case ZeroPadding2D zp:
            {
                int h = zp.DataFormat == "channels_last" ? 1 : 2;
                var pads = new long[2 * rank];
                var p = zp.Padding;
                (pads[h], pads[h + 1], pads[rank + h], pads[rank + h + 1]) = (p.Rows.Top, p.Cols.Left, p.Rows.Bottom, p.Cols.Right);
                return g.Pad(x.Name, pads, hint);
            }
            case Cropping1D cr:
                return Crop(g, x.Name, [1], [cr.Cropping.Start], [cr.Cropping.End], hint);
            case Cropping2D cr:
            {
                int h = cr.DataFormat == "channels_last" ? 1 : 2;
                var c = cr.Cropping;
                return Crop(g, x.Name, [h, h + 1], [c.Rows.Top, c.Cols.Left], [c.Rows.Bottom, c.Cols.Right], hint);
            }
            case Cropping3D cr:
            {
                int a = cr.DataFormat == "channels_last" ? 1 : 2;
                return Crop(g, x.Name, [a, a + 1, a + 2], cr.Cropping.Select(c => (long)c.Before).ToArray(), cr.Cropping.Select(c => (long)c.After).ToArray(), hint);
            }
            case ZeroPadding3D zp:
            {
                int a = zp.DataFormat == "channels_last" ? 1 : 2;
                var pads = new long[2 * rank];
                for (int i = 0; i < 3; i++) (pads[a + i], pads[rank + a + i]) = (zp.Padding[i].Before, zp.Padding[i].After);
                return g.Pad(x.Name, pads, hint);
            }
            case UpSampling3D up:
            {
                int a = up.DataFormat == "channels_last" ? 1 : 2;
                if (x.Shape.Skip(1).Any(d => d is null)) throw new NotSupportedException($"{desc}: every non-batch dimension must be known to export.");
                var shape = x.Shape.Select(d => (long)(d ?? 0)).ToArray();
                string y = x.Name;
                int[] sizes = [up.Size.Dim1, up.Size.Dim2, up.Size.Dim3];
                for (int i = 0; i < 3; i++) (y, shape) = RepeatInterleave(g, y, shape, a + i, sizes[i], hint);
                return y;
            }
            case UpSampling1D up:
            {
                // Each step repeated: (batch, steps, features) -> (batch, steps, size, features) -> (batch, steps·size, features).
                long features = x.Shape[2] ?? throw new NotSupportedException($"{desc}: the feature dimension must be known.");
                var tiled = g.Node("Tile", [g.Unsqueeze(x.Name, [2], hint), g.Int64([1, 1, up.Size, 1], hint + "/repeats")], hint);
                return g.Reshape(tiled, [0, -1, features], hint);
            }
            case UpSampling2D up:
            {
                bool last = up.DataFormat == "channels_last";
                var input = last ? g.Transpose(x.Name, OnnxConvolution.ToChannelsFirst(2), hint) : x.Name;
                var scales = g.Const([1f, 1f, up.Size.Rows, up.Size.Cols], [4], hint + "/scales");
                string y = up.Interpolation switch
                {
                    "nearest" => g.Node("Resize", [input, "", scales], hint, ("mode", "nearest"),
                        ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")),
                    // torch's bilinear interpolation without align_corners: half-pixel centers.
                    "bilinear" => g.Node("Resize", [input, "", scales], hint, ("mode", "linear"), ("coordinate_transformation_mode", "half_pixel")),
                    _ => throw new NotSupportedException($"{desc}: interpolation '{up.Interpolation}' is not exported."),
                };
                return last ? g.Transpose(y, OnnxConvolution.ToChannelsLast(2), hint) : y;
            }
        }
        return null;
    }

    /// <summary>
    /// Each cell of <paramref name="axis"/> repeated <paramref name="repeats"/> times (torch's repeat_interleave) on a
    /// value of known <paramref name="shape"/> (batch first, its entry ignored); returns the value and its new shape.
    /// </summary>
    public static (string, long[]) RepeatInterleave(OnnxGraphBuilder g, string x, long[] shape, int axis, int repeats, string hint)
    {
        if (repeats == 1) return (x, shape);
        var tiles = Enumerable.Repeat(1L, shape.Length + 1).ToArray();
        tiles[axis + 1] = repeats;
        var tiled = g.Node("Tile", [g.Unsqueeze(x, [axis + 1], hint), g.Int64(tiles, hint + "/repeats")], hint);
        var next = (long[])shape.Clone();
        next[axis] *= repeats;
        return (g.Reshape(tiled, [0, .. next[1..]], hint), next);
    }

    /// <summary>Removes <paramref name="start"/> cells at the start and <paramref name="end"/> at the end of each axis.</summary>
    private static string Crop(OnnxGraphBuilder g, string x, long[] axes, long[] start, long[] end, string hint) =>
        g.Slice(x, start, end.Select(e => e == 0 ? long.MaxValue : -e).ToArray(), axes, hint);
}
