using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Sharpkeras.Onnx;

/// <summary>
/// Preprocessing layers as they compute at inference: Rescaling, Normalization, Resizing, CenterCrop, RandomCrop
/// (its inference-time resize), Discretization and CategoryEncoding. Image sizes must be fixed in the model.
/// </summary>
internal static class OnnxPreprocessing
{
    /// <summary>Converts <paramref name="layer"/> if it is a preprocessing layer handled here; null otherwise.</summary>
    public static OnnxValue? TryConvert(OnnxGraphBuilder g, Layer layer, OnnxValue x, int?[] outShape, string hint, string desc)
    {
        int rank = x.Shape.Length;
        switch (layer)
        {
            case Rescaling rs:
            {
                var y = g.Node("Mul", [g.Cast(x.Name, DataType.Float, hint), g.Scalar((float)rs.Scale, hint + "/scale")], hint);
                if (rs.Offset != 0) y = g.Node("Add", [y, g.Scalar((float)rs.Offset, hint + "/offset")], hint);
                return new OnnxValue(y, outShape);
            }
            case Normalization norm:
                return new OnnxValue(Normalize(g, norm, x, hint, desc), outShape);
            case Resizing rz:
            {
                var (h, w, last) = ImageSize(x, rz.DataFormat, desc);
                var nchw = last ? g.Transpose(x.Name, OnnxConvolution.ToChannelsFirst(2), hint) : x.Name;
                if (rz.CropToAspectRatio) (nchw, h, w) = CropToAspectRatio(g, nchw, h, w, rz.Height, rz.Width, hint);
                else if (rz.PadToAspectRatio) (nchw, h, w) = PadToAspectRatio(g, nchw, h, w, rz.Height, rz.Width, rz.FillValue, hint);
                if (rz.Antialias && (rz.Height < h || rz.Width < w))
                    throw new NotSupportedException($"{desc}: resizing down with antialias is not exported.");
                var y = Resize(g, nchw, h, w, rz.Height, rz.Width, rz.Interpolation, hint, desc);
                return new OnnxValue(last ? g.Transpose(y, OnnxConvolution.ToChannelsLast(2), hint) : y, outShape);
            }
            case CenterCrop cc:
            {
                var (h, w, last) = ImageSize(x, cc.DataFormat, desc);
                long dh = h - cc.Height, dw = w - cc.Width;
                if (dh >= 0 && dw >= 0)
                {
                    int axis = last ? 1 : 2;
                    return new OnnxValue(g.Slice(x.Name, [dh / 2, dw / 2], [dh / 2 + cc.Height, dw / 2 + cc.Width], [axis, axis + 1], hint), outShape);
                }
                return new OnnxValue(CropAndResize(g, x.Name, h, w, cc.Height, cc.Width, last, hint, desc), outShape);
            }
            case RandomCrop rc:
            {
                // At inference: the images as they are when they have the target size, else the largest centered
                // window of the target aspect ratio resized (bilinear) to it.
                var (h, w, last) = ImageSize(x, rc.DataFormat, desc);
                if (h == rc.Height && w == rc.Width) return new OnnxValue(g.Node("Identity", [x.Name], hint), outShape);
                return new OnnxValue(CropAndResize(g, x.Name, h, w, rc.Height, rc.Width, last, hint, desc), outShape);
            }
            case Discretization disc:
            {
                var boundaries = disc.BinBoundaries ?? throw new NotSupportedException($"{desc} has no bin boundaries yet (pass them or call Adapt before exporting).");
                // bucketize(right: true): the number of boundaries <= x.
                var xf = g.Unsqueeze(g.Cast(x.Name, DataType.Float, hint), [-1], hint);
                var bounds = g.Const(boundaries.Select(b => (float)b).ToArray(), [boundaries.Length], hint + "/boundaries");
                var ids = g.Reduce("ReduceSum", g.Cast(g.Node("GreaterOrEqual", [xf, bounds], hint), DataType.Int64, hint), [-1], false, hint);
                if (disc.OutputMode == "int") return new OnnxValue(ids, outShape, DType: ScalarType.Int64);
                return new OnnxValue(Encode(g, ids, x.Shape, boundaries.Length + 1, disc.OutputMode, hint, desc), outShape);
            }
            case CategoryEncoding ce:
                return new OnnxValue(Encode(g, g.Cast(x.Name, DataType.Int64, hint), x.Shape, ce.NumTokens, ce.OutputMode, hint, desc), outShape);
        }
        return null;
    }

    private static (long h, long w, bool last) ImageSize(OnnxValue x, string dataFormat, string desc)
    {
        bool last = dataFormat == "channels_last";
        int a = last ? 1 : 2;
        if (x.Shape.Length != 4 || x.Shape[a] is not int h || x.Shape[a + 1] is not int w)
            throw new NotSupportedException($"{desc}: the image height and width must be fixed to export (input {Engine.ShapeUtils.Format(x.Shape)}).");
        return (h, w, last);
    }

    /// <summary>Keras's Normalization: (x − mean) / max(sqrt(variance), ε), or its inverse.</summary>
    private static string Normalize(OnnxGraphBuilder g, Normalization norm, OnnxValue x, string hint, string desc)
    {
        int rank = x.Shape.Length;
        var keep = norm.Axis.Select(a => a < 0 ? a + rank : a).Distinct().OrderBy(a => a).ToArray();
        var broadcast = Enumerable.Range(0, rank).Select(d => keep.Contains(d) ? (long)(x.Shape[d] ?? 1) : 1L).ToArray();
        Tensor mean, variance;
        if (norm.Mean is not null && norm.Variance is not null)
        {
            mean = OnnxLayers.Weight(norm, "mean").to(ScalarType.Float64);
            variance = OnnxLayers.Weight(norm, "variance").to(ScalarType.Float64);
        }
        else
        {
            var config = norm.GetConfig();
            if (config["mean"] is not double[] m || config["variance"] is not double[] v)
                throw new NotSupportedException($"{desc} has no mean and variance (call Adapt first).");
            var expanded = Enumerable.Repeat(1L, rank).ToArray();
            if (m.Length > 1) expanded[keep[^1]] = m.Length;
            mean = torch.tensor(m).reshape(expanded);
            variance = torch.tensor(v).reshape(expanded);
        }
        mean = mean.reshape(mean.numel() == 1 ? Enumerable.Repeat(1L, rank).ToArray() : mean.numel() == broadcast.Aggregate(1L, (a, b) => a * b) ? broadcast : mean.shape);
        var scale = variance.reshape(mean.shape).sqrt().clamp_min(Keras.Config.Epsilon);
        var xf = g.Cast(x.Name, DataType.Float, hint);
        var mc = g.Const(mean, hint + "/mean");
        var sc = g.Const(scale, hint + "/scale");
        return norm.Invert
            ? g.Node("Add", [mc, g.Node("Mul", [xf, sc], hint)], hint)
            : g.Node("Div", [g.Node("Sub", [xf, mc], hint), sc], hint);
    }

    /// <summary>Resizes an NCHW value to (<paramref name="outH"/>, <paramref name="outW"/>) as torch's interpolate does (no align_corners).</summary>
    private static string Resize(OnnxGraphBuilder g, string nchw, long h, long w, long outH, long outW, string interpolation, string hint, string desc)
    {
        if (h == outH && w == outW) return nchw;
        var sizes = g.Node("Concat", [g.Slice(g.Node("Shape", [nchw], hint), [0], [2], [0], hint + "/nc"), g.Int64([outH, outW], hint + "/size")], hint, ("axis", 0L));
        var attrs = interpolation switch
        {
            "bilinear" => new (string, object)[] { ("mode", "linear"), ("coordinate_transformation_mode", "half_pixel") },
            "nearest" => [("mode", "nearest"), ("coordinate_transformation_mode", "half_pixel"), ("nearest_mode", "round_prefer_ceil")],
            "bicubic" => [("mode", "cubic"), ("coordinate_transformation_mode", "half_pixel"), ("cubic_coeff_a", -0.75f)],
            _ => throw new NotSupportedException($"{desc}: interpolation '{interpolation}' is not exported."),
        };
        return g.Node("Resize", [nchw, "", "", sizes], hint, attrs);
    }

    /// <summary>The largest centered window of the target aspect ratio (ImageOps.CropToAspectRatio), on an NCHW value.</summary>
    private static (string, long, long) CropToAspectRatio(OnnxGraphBuilder g, string nchw, long h, long w, long th, long tw, string hint)
    {
        long cropH = Math.Max(Math.Min(h, (long)((double)(w * th) / tw)), 1);
        long cropW = Math.Max(Math.Min(w, (long)((double)(h * tw) / th)), 1);
        long hs = (long)((h - cropH) / 2.0), ws = (long)((w - cropW) / 2.0);
        if (cropH == h && cropW == w) return (nchw, h, w);
        return (g.Slice(nchw, [hs, ws], [hs + cropH, ws + cropW], [2, 3], hint + "/crop"), cropH, cropW);
    }

    /// <summary>Keras's pad_to_aspect_ratio (ImageOps.PadToAspectRatio), on an NCHW value.</summary>
    private static (string, long, long) PadToAspectRatio(OnnxGraphBuilder g, string nchw, long h, long w, long th, long tw, double fill, string hint)
    {
        long padH = Math.Max(h, (long)((double)(w * th) / tw));
        long padW = Math.Max(w, (long)((double)(h * tw) / th));
        long hs = (long)((padH - h) / 2.0), ws = (long)((padW - w) / 2.0);
        if (hs <= 0 && ws <= 0) return (nchw, h, w);
        var y = g.Node("Pad", [nchw, g.Int64([0, 0, hs, ws, 0, 0, hs, ws], hint + "/pads"), g.Scalar((float)fill, hint + "/fill")], hint);
        return (y, h + 2 * hs, w + 2 * ws);
    }

    private static string CropAndResize(OnnxGraphBuilder g, string x, long h, long w, long th, long tw, bool last, string hint, string desc)
    {
        var nchw = last ? g.Transpose(x, OnnxConvolution.ToChannelsFirst(2), hint) : x;
        var (cropped, ch, cw) = CropToAspectRatio(g, nchw, h, w, th, tw, hint);
        var y = Resize(g, cropped, ch, cw, th, tw, "bilinear", hint, desc);
        return last ? g.Transpose(y, OnnxConvolution.ToChannelsLast(2), hint) : y;
    }

    /// <summary>
    /// CategoryEncoding.EncodeIds: "one_hot" (a trailing axis of 1 squeezed), "multi_hot" or "count" over the last
    /// axis; ids outside [0, numTokens) count for nothing.
    /// </summary>
    private static string Encode(OnnxGraphBuilder g, string ids, int?[] shape, int numTokens, string mode, string hint, string desc)
    {
        int rank = shape.Length;
        var tokens = g.Int64(Enumerable.Range(0, numTokens).Select(i => (long)i).ToArray(), hint + "/tokens");
        if (mode == "one_hot")
        {
            if (rank > 1 && shape[^1] == 1) ids = g.Squeeze(ids, [-1], hint);
            return g.Cast(g.Node("Equal", [g.Unsqueeze(ids, [-1], hint), tokens], hint), DataType.Float, hint);
        }
        if (mode is not ("multi_hot" or "count")) throw new NotSupportedException($"{desc}: output mode '{mode}' is not exported.");
        if (rank == 1) ids = g.Unsqueeze(ids, [-1], hint);
        var hits = g.Cast(g.Node("Equal", [g.Unsqueeze(ids, [-1], hint), tokens], hint), DataType.Float, hint);
        return g.Reduce(mode == "count" ? "ReduceSum" : "ReduceMax", hits, [-2], false, hint);
    }
}
