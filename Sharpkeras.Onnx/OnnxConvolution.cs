using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// The convolution family and pooling as ONNX Conv / ConvTranspose / MaxPool / AveragePool on channels_first values:
/// channels_last inputs are transposed to channels_first and back around the operator.
/// </summary>
internal static class OnnxConvolution
{
    public static long[] ToChannelsFirst(int spatial) => [0, spatial + 1, .. Enumerable.Range(1, spatial).Select(i => (long)i)];
    public static long[] ToChannelsLast(int spatial) => [0, .. Enumerable.Range(2, spatial).Select(i => (long)i), 1];

    private static long[] Longs(IEnumerable<int> v) => v.Select(i => (long)i).ToArray();

    /// <summary>An ONNX Conv on a channels_first value with a kernel already in ONNX layout (out, in/groups, k...).</summary>
    private static string ConvCore(OnnxGraphBuilder g, string xFirst, Tensor onnxKernel, Tensor? bias, int[] kernelSize, int[] strides,
        int[] dilations, long group, string padding, string hint, string desc)
    {
        int r = kernelSize.Length;
        var attrs = new List<(string, object)>
        {
            ("kernel_shape", Longs(kernelSize)), ("strides", Longs(strides)), ("dilations", Longs(dilations)), ("group", group),
        };
        switch (padding)
        {
            case "valid": attrs.Add(("pads", new long[2 * r])); break;
            case "same": attrs.Add(("auto_pad", "SAME_UPPER")); break;
            case "causal" when r == 1: attrs.Add(("pads", new long[] { dilations[0] * (kernelSize[0] - 1), 0 })); break;
            default: throw new NotSupportedException($"{desc}: padding '{padding}' is not exported.");
        }
        var inputs = new List<string> { xFirst, g.Const(onnxKernel.contiguous(), hint + "/kernel") };
        if (bias is not null) inputs.Add(g.Const(bias, hint + "/bias"));
        return g.Node("Conv", inputs, hint, attrs.ToArray());
    }

    private static (string x, bool last) ToFirst(OnnxGraphBuilder g, OnnxValue x, string dataFormat, int rank, string hint)
    {
        bool last = dataFormat == "channels_last";
        return (last ? g.Transpose(x.Name, ToChannelsFirst(rank), hint) : x.Name, last);
    }

    private static string Back(OnnxGraphBuilder g, string y, bool last, int rank, string hint) =>
        last ? g.Transpose(y, ToChannelsLast(rank), hint) : y;

    public static string Conv(OnnxGraphBuilder g, BaseConv conv, OnnxValue x, string hint, string desc)
    {
        int r = conv.Rank;
        var (input, last) = ToFirst(g, x, conv.DataFormat, r, hint);
        var perm = new long[] { r + 1, r }.Concat(Enumerable.Range(0, r).Select(i => (long)i)).ToArray();
        var y = ConvCore(g, input, OnnxLayers.Weight(conv, "kernel").permute(perm), conv.UseBias ? OnnxLayers.Weight(conv, "bias") : null,
            conv.KernelSize, conv.Strides, conv.DilationRate, conv.Groups, conv.Padding, hint, desc);
        return OnnxActivations.Apply(g, conv.ActivationName, Back(g, y, last, r, hint), hint, desc);
    }

    /// <summary>
    /// A transposed convolution with Keras's output size: ONNX ConvTranspose gives the full result of length
    /// (i − 1)·s + k' (k' the dilated kernel); it is cropped on each side where TensorFlow places its output window
    /// ("valid": (k' − 1, k' − 1 + extra) of padding, "same": the padding that yields i·s, or the output padding's
    /// length), and where the window reaches past the full result the extra cells are zeros plus the bias, as in TF.
    /// </summary>
    public static string ConvTranspose(OnnxGraphBuilder g, BaseConvTranspose ct, OnnxValue x, string hint, string desc)
    {
        int r = ct.Rank;
        var (input, last) = ToFirst(g, x, ct.DataFormat, r, hint);
        var crops = new (long Left, long Right)[r];
        bool extend = false;
        for (int i = 0; i < r; i++)
        {
            long k = (long)(ct.KernelSize[i] - 1) * ct.DilationRate[i] + 1, s = ct.Strides[i];
            int? op = ct.OutputPadding?[i];
            long left, right;
            if (ct.Padding == "valid")
            {
                left = k - 1;
                right = k - 1 + (op ?? Math.Max(k, s) - k);
            }
            else if (ct.Padding == "same")
            {
                long padLen = op is int p ? k + k % 2 - 2 + p : s + k - 2;
                left = Math.Min(padLen / 2 + padLen % 2, k - 1);
                right = padLen - left;
            }
            else throw new NotSupportedException($"{desc}: padding '{ct.Padding}' is not exported.");
            crops[i] = (k - 1 - left, k - 1 - right);
            if (crops[i].Left < 0 || crops[i].Right < 0) extend = true;
        }
        // Keras kernel (k..., filters, in) -> ONNX ConvTranspose weight (in, filters, k...).
        var perm = new long[] { r + 1, r }.Concat(Enumerable.Range(0, r).Select(i => (long)i)).ToArray();
        var kernel = OnnxLayers.Weight(ct, "kernel").permute(perm).contiguous();
        string? bias = ct.UseBias ? g.Const(OnnxLayers.Weight(ct, "bias"), hint + "/bias") : null;
        var pads = crops.Select(c => Math.Max(c.Left, 0)).Concat(crops.Select(c => Math.Max(c.Right, 0))).ToArray();
        var inputs = new List<string> { input, g.Const(kernel, hint + "/kernel") };
        if (bias != null && !extend) inputs.Add(bias);
        var y = g.Node("ConvTranspose", inputs, hint,
            ("kernel_shape", Longs(ct.KernelSize)), ("strides", Longs(ct.Strides)), ("dilations", Longs(ct.DilationRate)), ("pads", pads));
        if (extend)
        {
            long[] zeros = [0, 0, .. crops.Select(c => Math.Max(-c.Left, 0))];
            long[] ends = [0, 0, .. crops.Select(c => Math.Max(-c.Right, 0))];
            y = g.Pad(y, [.. zeros, .. ends], hint + "/extend");
            if (bias != null)
                y = g.Node("Add", [y, g.Reshape(bias, [ct.Filters, .. Enumerable.Repeat(1L, r)], hint + "/bias")], hint);
        }
        return OnnxActivations.Apply(g, ct.ActivationName, Back(g, y, last, r, hint), hint, desc);
    }

    /// <summary>Keras's depthwise kernel (k..., in, multiplier) as a grouped ONNX kernel (in * multiplier, 1, k...).</summary>
    private static Tensor DepthwiseKernel(Tensor kernel, int rank)
    {
        var perm = new long[] { rank, rank + 1 }.Concat(Enumerable.Range(0, rank).Select(i => (long)i)).ToArray();
        var k = kernel.permute(perm).contiguous(); // (in, mult, k...)
        return k.reshape([k.shape[0] * k.shape[1], 1, .. k.shape[2..]]);
    }

    public static string DepthwiseConv(OnnxGraphBuilder g, BaseDepthwiseConv dw, OnnxValue x, string hint, string desc)
    {
        int r = dw.Rank;
        var (input, last) = ToFirst(g, x, dw.DataFormat, r, hint);
        var kernel = OnnxLayers.Weight(dw, "kernel");
        var y = ConvCore(g, input, DepthwiseKernel(kernel, r), dw.UseBias ? OnnxLayers.Weight(dw, "bias") : null,
            dw.KernelSize, dw.Strides, dw.DilationRate, kernel.shape[r], dw.Padding, hint, desc);
        return OnnxActivations.Apply(g, dw.ActivationName, Back(g, y, last, r, hint), hint, desc);
    }

    public static string SeparableConv(OnnxGraphBuilder g, BaseSeparableConv sep, OnnxValue x, string hint, string desc)
    {
        int r = sep.Rank;
        var (input, last) = ToFirst(g, x, sep.DataFormat, r, hint);
        var depthwise = OnnxLayers.Weight(sep, "depthwise_kernel");
        var y = ConvCore(g, input, DepthwiseKernel(depthwise, r), null, sep.KernelSize, sep.Strides, sep.DilationRate,
            depthwise.shape[r], sep.Padding, hint + "/depthwise", desc);
        var pointwise = OnnxLayers.Weight(sep, "pointwise_kernel"); // (1..., in * mult, filters)
        var perm = new long[] { r + 1, r }.Concat(Enumerable.Range(0, r).Select(i => (long)i)).ToArray();
        var ones = Enumerable.Repeat(1, r).ToArray();
        y = ConvCore(g, y, pointwise.permute(perm), sep.UseBias ? OnnxLayers.Weight(sep, "bias") : null, ones, ones, ones, 1, "valid", hint + "/pointwise", desc);
        return OnnxActivations.Apply(g, sep.ActivationName, Back(g, y, last, r, hint), hint, desc);
    }

    /// <summary>
    /// Adaptive pooling (torch's, which Keras's torch backend calls): each spatial axis of length L cut into O windows
    /// [⌊i·L/O⌋, ⌈(i+1)·L/O⌉), each averaged or maximized. Windows are products of per-axis ranges, so the pooling is
    /// done one axis at a time (a mean of equal-size row means is the window mean).
    /// </summary>
    public static string AdaptivePool(OnnxGraphBuilder g, BaseAdaptivePooling pool, OnnxValue x, string hint, string desc)
    {
        int first = pool.DataFormat == "channels_last" ? 1 : 2;
        string op = pool.GetType().Name.Contains("Max", StringComparison.Ordinal) ? "ReduceMax" : "ReduceMean";
        string y = x.Name;
        for (int i = 0; i < pool.Rank; i++)
        {
            int axis = first + i;
            long length = x.Shape[axis] ?? throw new NotSupportedException($"{desc}: the spatial size must be known to export (input {Engine.ShapeUtils.Format(x.Shape)}).");
            long outputs = pool.OutputSize[i];
            var windows = new List<string>();
            for (long o = 0; o < outputs; o++)
            {
                long start = o * length / outputs, end = ((o + 1) * length + outputs - 1) / outputs;
                windows.Add(g.Reduce(op, g.Slice(y, [start], [end], [axis], $"{hint}/axis{axis}"), [axis], true, $"{hint}/axis{axis}"));
            }
            y = windows.Count == 1 ? windows[0] : g.Node("Concat", windows, hint, ("axis", (long)axis));
        }
        return y;
    }

    public static string Pool(OnnxGraphBuilder g, BasePooling pool, OnnxValue x, string hint, string desc)
    {
        int r = pool.Rank;
        bool max = pool.GetType().Name.Contains("Max", StringComparison.Ordinal);
        var (input, last) = ToFirst(g, x, pool.DataFormat, r, hint);
        var attrs = new List<(string, object)> { ("kernel_shape", Longs(pool.PoolSize)), ("strides", Longs(pool.Strides)) };
        if (pool.Padding == "same") attrs.Add(("auto_pad", "SAME_UPPER"));
        else if (pool.Padding == "valid") attrs.Add(("pads", new long[2 * r]));
        else throw new NotSupportedException($"{desc}: padding '{pool.Padding}' is not exported.");
        if (!max) attrs.Add(("count_include_pad", 0L)); // Keras averages over the real values only
        var y = g.Node(max ? "MaxPool" : "AveragePool", [input], hint, attrs.ToArray());
        return Back(g, y, last, r, hint);
    }
}
