using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Argument normalisation and Keras/TensorFlow "same"/"valid" arithmetic shared by convolution and pooling layers.</summary>
internal static class ConvUtils
{
    public static int[] Tuple(int[] values, int rank, string argument, string layer, bool allowZero = false)
    {
        ArgumentNullException.ThrowIfNull(values, argument);
        var r = values.Length == 1 ? Enumerable.Repeat(values[0], rank).ToArray() : values;
        if (r.Length != rank)
            throw new ArgumentException($"{layer}: {argument} must have 1 or {rank} values; got {values.Length}.", argument);
        if (r.Any(v => allowZero ? v < 0 : v <= 0))
            throw new ArgumentOutOfRangeException(argument, $"{layer}: {argument} values must be {(allowZero ? ">= 0" : "positive")}; got ({string.Join(", ", values)}).");
        return r;
    }

    public static string Padding(string padding, string layer, bool allowCausal = false)
    {
        var p = (padding ?? throw new ArgumentNullException(nameof(padding))).ToLowerInvariant();
        if (p is "valid" or "same" || (allowCausal && p == "causal")) return p;
        throw new ArgumentException($"{layer}: padding must be 'valid' or 'same'{(allowCausal ? " or 'causal'" : "")}; got '{padding}'.", nameof(padding));
    }

    public static string DataFormat(string? dataFormat, string layer)
    {
        var f = dataFormat ?? Keras.Config.ImageDataFormat;
        if (f is "channels_last" or "channels_first") return f;
        throw new ArgumentException($"{layer}: dataFormat must be 'channels_last' or 'channels_first'; got '{dataFormat}'.", nameof(dataFormat));
    }

    /// <summary>Output length along one axis (Keras's conv_output_length).</summary>
    public static int? OutputLength(int? input, int kernel, string padding, int stride, int dilation = 1)
    {
        if (input is not int n) return null;
        int eff = (kernel - 1) * dilation + 1;
        int len = padding == "valid" ? n - eff + 1 : n;
        return len <= 0 ? 0 : (len + stride - 1) / stride;
    }

    /// <summary>TensorFlow's "same" padding split: total = max((ceil(n/s)-1)*s + eff - n, 0); before = total/2, after = the rest.</summary>
    public static (int before, int after) SamePad(long n, int kernel, int stride, int dilation)
    {
        int eff = (kernel - 1) * dilation + 1;
        long outLen = (n + stride - 1) / stride;
        int total = (int)Math.Max((outLen - 1) * stride + eff - n, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Channels-last → channels-first as a view (N, *spatial, C) → (N, C, *spatial).</summary>
    public static Tensor ToChannelsFirst(Tensor x)
    {
        int r = (int)x.dim();
        var perm = new long[r];
        perm[0] = 0; perm[1] = r - 1;
        for (int i = 2; i < r; i++) perm[i] = i - 1;
        return x.permute(perm);
    }

    /// <summary>Channels-first → channels-last as a view (N, C, *spatial) → (N, *spatial, C).</summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        int r = (int)x.dim();
        var perm = new long[r];
        perm[0] = 0;
        for (int i = 1; i < r - 1; i++) perm[i] = i + 1;
        perm[r - 1] = 1;
        return x.permute(perm);
    }

    /// <summary>Torch padding list for F.pad (last spatial axis first) from per-axis (before, after).</summary>
    public static long[] PadList((int before, int after)[] pads)
    {
        var l = new List<long>();
        for (int i = pads.Length - 1; i >= 0; i--) { l.Add(pads[i].before); l.Add(pads[i].after); }
        return l.ToArray();
    }

    public static void CheckRank(Layer layer, int?[] shape, int rank)
    {
        if (shape.Length != rank + 2)
            throw new ArgumentException(
                $"Input of layer '{layer.Name}' ({layer.GetType().Name}) must have rank {rank + 2} (batch, {(rank == 1 ? "steps" : "spatial dims")}, channels); got shape {ShapeUtils.Format(shape)}.");
    }
}
