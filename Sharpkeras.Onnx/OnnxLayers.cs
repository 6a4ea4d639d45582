using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// Converts one layer, in inference mode, to ONNX nodes (opset 17). Images stay channels_last as Keras users feed
/// them: convolutions and pooling transpose to ONNX's channels_first and back around their operator. A layer that
/// has no conversion here gets a <see cref="NotSupportedException"/> naming it.
/// </summary>
internal static class OnnxLayers
{
    public static string Describe(Layer layer) => $"Layer '{layer.Name}' ({layer.GetType().Name})";

    /// <summary>The layer's weight <paramref name="name"/> in Keras's layout (CPU, float32).</summary>
    public static Tensor Weight(Layer layer, string name) =>
        (layer.OwnVariables.FirstOrDefault(v => v.Name == name)
         ?? throw new InvalidOperationException($"{Describe(layer)} has no weight '{name}'; is it built?")).ToKerasLayout().to(ScalarType.Float32);

    private static bool HasWeight(Layer layer, string name) => layer.OwnVariables.Any(v => v.Name == name);

    /// <summary>Layers that are the identity at inference.</summary>
    private static bool IsInferenceIdentity(Layer layer) => layer is Dropout or BaseSpatialDropout or GaussianNoise or ActivityRegularization
        or Identity or RandomFlip or RandomTranslation or RandomRotation or RandomZoom or RandomContrast or RandomBrightness
        || layer.GetType().Name is "GaussianDropout" or "AlphaDropout";

    public static OnnxValue[] Convert(OnnxGraphBuilder g, Layer layer, OnnxValue[] ins, int?[][] outShapes)
    {
        string hint = layer.Name;
        string desc = Describe(layer);
        var x = ins[0];
        bool masked = ins.Any(i => i.Mask != null);
        // Merging layers combine their inputs' masks as Merge/Concatenate.ComputeMasks do: the OR of the masks when
        // every input has one (a Concatenate input without a mask counts as all-true, which leaves no mask).
        string? mergedMask = null;
        bool merging = layer is Concatenate or Add or Subtract or Multiply or Average or Maximum or Minimum;
        if (masked && merging)
        {
            if (layer is Concatenate cc && cc.Axis != -1 && cc.Axis != outShapes[0].Length - 1)
                throw new NotSupportedException($"{desc} concatenates masked sequences along axis {cc.Axis}; the ONNX exporter combines masks only for the last axis.");
            if (ins.All(i => i.Mask != null))
            {
                mergedMask = ins[0].Mask;
                for (int i = 1; i < ins.Length; i++) mergedMask = g.Node("Or", [mergedMask!, ins[i].Mask!], hint + "/mask");
            }
        }
        OnnxValue Out(string name, bool keepMask = false) => new(name, outShapes[0], keepMask ? x.Mask : mergedMask);

        if (IsInferenceIdentity(layer)) return [Out(g.Node("Identity", [x.Name], hint), keepMask: true)];

        switch (layer)
        {
            case RecurrentLayer rnn:
                return [OnnxRecurrent.Convert(g, rnn, x, outShapes[0])];
            case Bidirectional bi:
                return [Bidirectional(g, bi, x, outShapes[0], desc)];
            case TimeDistributed td when td.SubLayers.Count == 1 && td.SubLayers[0] is Dense or Activation or Dropout:
                // These act on the last axis only, so they apply to (batch, time, ...) directly.
                return Convert(g, td.SubLayers[0], ins, outShapes);
            case GlobalAveragePooling1D gap1 when masked && gap1.DataFormat == "channels_last":
                return [new OnnxValue(MaskedMean(g, x, hint, gap1.KeepDims), outShapes[0])];
        }
        if (masked && !merging && layer is not (Dense or Activation or ReLU or LeakyReLU or ELU or Softmax))
            throw new NotSupportedException(
                $"{desc} receives a Keras mask (from Embedding(maskZero: true)); the ONNX exporter applies masks only in recurrent layers and GlobalAveragePooling1D.");

        switch (layer)
        {
            case Embedding emb:
            {
                var ids = g.Node("Cast", [x.Name], hint, ("to", (long)global::Onnx.TensorProto.Types.DataType.Int64));
                var y = g.Node("Gather", [g.Const(Weight(emb, "embeddings"), hint + "/embeddings"), ids], hint, ("axis", 0L));
                string? mask = emb.MaskZero ? g.Node("Not", [g.Node("Equal", [ids, g.Int64([0], hint + "/zero", [])], hint)], hint + "/mask") : null;
                return [new OnnxValue(y, outShapes[0], mask)];
            }
            case Dense dense:
            {
                var y = g.Node("MatMul", [x.Name, g.Const(Weight(dense, "kernel"), hint + "/kernel")], hint);
                if (dense.UseBias) y = g.Node("Add", [y, g.Const(Weight(dense, "bias"), hint + "/bias")], hint);
                return [Out(OnnxActivations.Apply(g, dense.ActivationName, y, hint, desc), keepMask: true)];
            }
            case Activation act:
                return [Out(OnnxActivations.Apply(g, act.ActivationName, x.Name, hint, desc), keepMask: true)];
            case ReLU relu when relu.NegativeSlope == 0 && relu.Threshold == 0:
            {
                var y = g.Node("Relu", [x.Name], hint);
                if (relu.MaxValue is double mv) y = g.Node("Min", [y, g.Scalar((float)mv, hint + "/max")], hint);
                return [Out(y, keepMask: true)];
            }
            case LeakyReLU lr:
                return [Out(g.Node("LeakyRelu", [x.Name], hint, ("alpha", (float)lr.NegativeSlope)), keepMask: true)];
            case ELU elu:
                return [Out(g.Node("Elu", [x.Name], hint, ("alpha", (float)elu.Alpha)), keepMask: true)];
            case Softmax sm when sm.Axis.Length == 1:
                return [Out(g.Node("Softmax", [x.Name], hint, ("axis", (long)sm.Axis[0])), keepMask: true)];
            case PReLU prelu:
                return [Out(g.Node("PRelu", [x.Name, g.Const(Weight(prelu, "alpha"), hint + "/alpha")], hint))];
            case Rescaling rs:
            {
                var y = g.Node("Mul", [x.Name, g.Scalar((float)rs.Scale, hint + "/scale")], hint);
                if (rs.Offset != 0) y = g.Node("Add", [y, g.Scalar((float)rs.Offset, hint + "/offset")], hint);
                return [Out(y)];
            }
            case BaseConv conv:
                return [Out(Conv(g, conv, x, hint, desc))];
            case BaseDepthwiseConv dw:
                return [Out(DepthwiseConv(g, dw, x, hint, desc))];
            case BaseSeparableConv sep:
                return [Out(SeparableConv(g, sep, x, hint, desc))];
            case UpSampling2D up when up.Interpolation == "nearest" && up.DataFormat == "channels_last":
            {
                var scales = g.Const([1f, up.Size.Rows, up.Size.Cols, 1f], [4], hint + "/scales");
                return [Out(g.Node("Resize", [x.Name, "", scales], hint, ("mode", "nearest"),
                    ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")))];
            }
            case MultiHeadAttention mha:
                return [Out(OnnxAttention.MultiHead(g, mha, ins, hint, desc))];
            case BasePooling pool:
                return [Out(Pool(g, pool, x, hint, desc))];
            case BaseGlobalPooling gp:
            {
                if (gp.DataFormat != "channels_last") throw new NotSupportedException($"{desc}: only channels_last is exported.");
                var axes = Enumerable.Range(1, gp.Rank).Select(a => (long)a).ToArray();
                string op = gp.GetType().Name.Contains("Max", StringComparison.Ordinal) ? "ReduceMax" : "ReduceMean";
                return [Out(g.Node(op, [x.Name], hint, ("axes", axes), ("keepdims", gp.KeepDims ? 1L : 0L)))];
            }
            case BatchNormalization bn:
                return [Out(BatchNorm(g, bn, x, hint))];
            case LayerNormalization ln:
                return [Out(LayerNorm(g, ln, x, hint, desc))];
            case Flatten fl:
                if (fl.DataFormat == "channels_first" && x.Shape.Length > 2)
                    throw new NotSupportedException($"{desc}: Flatten with data_format channels_first is not exported.");
                return [Out(g.Node("Flatten", [x.Name], hint, ("axis", 1L)))];
            case Reshape rsh:
                return [Out(g.Node("Reshape", [x.Name, g.Int64([0, .. rsh.TargetShape.Select(d => (long)d)], hint + "/shape")], hint))];
            case Permute perm:
                return [Out(g.Node("Transpose", [x.Name], hint, ("perm", new long[] { 0 }.Concat(perm.Dims.Select(d => (long)d)).ToArray())))];
            case ZeroPadding2D zp when zp.DataFormat == "channels_last":
            {
                var p = zp.Padding;
                var pads = g.Int64([0, p.Rows.Top, p.Cols.Left, 0, 0, p.Rows.Bottom, p.Cols.Right, 0], hint + "/pads");
                return [Out(g.Node("Pad", [x.Name, pads], hint))];
            }
            case Concatenate cat:
                return [Out(g.Node("Concat", ins.Select(i => i.Name), hint, ("axis", (long)cat.Axis)))];
            case Add or Subtract or Multiply or Average or Maximum or Minimum:
            {
                if (layer is Subtract) return [Out(g.Node("Sub", [ins[0].Name, ins[1].Name], hint))];
                string op = layer switch { Add => "Sum", Multiply => "Mul", Average => "Mean", Maximum => "Max", _ => "Min" };
                if (op == "Mul")
                {
                    var acc = ins[0].Name;
                    for (int i = 1; i < ins.Length; i++) acc = g.Node("Mul", [acc, ins[i].Name], hint);
                    return [Out(acc)];
                }
                return [Out(g.Node(op, ins.Select(i => i.Name), hint))];
            }
        }
        throw new NotSupportedException($"{desc} cannot be exported to ONNX: the exporter has no conversion for {layer.GetType().Name}.");
    }

    private static long[] ToChannelsFirst(int spatial) => [0, spatial + 1, .. Enumerable.Range(1, spatial).Select(i => (long)i)];
    private static long[] ToChannelsLast(int spatial) => [0, .. Enumerable.Range(2, spatial).Select(i => (long)i), 1];

    /// <summary>An ONNX Conv on a channels_first value with a kernel already in ONNX layout (out, in/groups, k...).</summary>
    private static string ConvCore(OnnxGraphBuilder g, string xFirst, Tensor onnxKernel, Tensor? bias, int[] kernelSize, int[] strides,
        int[] dilations, long group, string padding, string hint, string desc)
    {
        int r = kernelSize.Length;
        var attrs = new List<(string, object)>
        {
            ("kernel_shape", kernelSize.Select(k => (long)k).ToArray()),
            ("strides", strides.Select(v => (long)v).ToArray()),
            ("dilations", dilations.Select(d => (long)d).ToArray()),
            ("group", group),
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
        return (last ? g.Node("Transpose", [x.Name], hint, ("perm", ToChannelsFirst(rank))) : x.Name, last);
    }

    private static string Conv(OnnxGraphBuilder g, BaseConv conv, OnnxValue x, string hint, string desc)
    {
        int r = conv.Rank;
        var (input, last) = ToFirst(g, x, conv.DataFormat, r, hint);
        var perm = new long[] { r + 1, r }.Concat(Enumerable.Range(0, r).Select(i => (long)i)).ToArray();
        var y = ConvCore(g, input, Weight(conv, "kernel").permute(perm), conv.UseBias ? Weight(conv, "bias") : null,
            conv.KernelSize, conv.Strides, conv.DilationRate, conv.Groups, conv.Padding, hint, desc);
        if (last) y = g.Node("Transpose", [y], hint, ("perm", ToChannelsLast(r)));
        return OnnxActivations.Apply(g, conv.ActivationName, y, hint, desc);
    }

    /// <summary>Keras's depthwise kernel (k..., in, multiplier) as a grouped ONNX kernel (in * multiplier, 1, k...).</summary>
    private static Tensor DepthwiseKernel(Tensor kernel, int rank)
    {
        var perm = new long[] { rank, rank + 1 }.Concat(Enumerable.Range(0, rank).Select(i => (long)i)).ToArray();
        var k = kernel.permute(perm).contiguous(); // (in, mult, k...)
        return k.reshape([k.shape[0] * k.shape[1], 1, .. k.shape[2..]]);
    }

    private static string DepthwiseConv(OnnxGraphBuilder g, BaseDepthwiseConv dw, OnnxValue x, string hint, string desc)
    {
        int r = dw.Rank;
        var (input, last) = ToFirst(g, x, dw.DataFormat, r, hint);
        var kernel = Weight(dw, "kernel");
        var y = ConvCore(g, input, DepthwiseKernel(kernel, r), dw.UseBias ? Weight(dw, "bias") : null,
            dw.KernelSize, dw.Strides, dw.DilationRate, kernel.shape[r], dw.Padding, hint, desc);
        if (last) y = g.Node("Transpose", [y], hint, ("perm", ToChannelsLast(r)));
        return OnnxActivations.Apply(g, dw.ActivationName, y, hint, desc);
    }

    private static string SeparableConv(OnnxGraphBuilder g, BaseSeparableConv sep, OnnxValue x, string hint, string desc)
    {
        int r = sep.Rank;
        var (input, last) = ToFirst(g, x, sep.DataFormat, r, hint);
        var depthwise = Weight(sep, "depthwise_kernel");
        var y = ConvCore(g, input, DepthwiseKernel(depthwise, r), null, sep.KernelSize, sep.Strides, sep.DilationRate,
            depthwise.shape[r], sep.Padding, hint + "/depthwise", desc);
        var pointwise = Weight(sep, "pointwise_kernel"); // (1..., in * mult, filters)
        var perm = new long[] { r + 1, r }.Concat(Enumerable.Range(0, r).Select(i => (long)i)).ToArray();
        var ones = Enumerable.Repeat(1, r).ToArray();
        y = ConvCore(g, y, pointwise.permute(perm), sep.UseBias ? Weight(sep, "bias") : null, ones, ones, ones, 1, "valid", hint + "/pointwise", desc);
        if (last) y = g.Node("Transpose", [y], hint, ("perm", ToChannelsLast(r)));
        return OnnxActivations.Apply(g, sep.ActivationName, y, hint, desc);
    }

    /// <summary>Keras's Bidirectional: the backward layer runs reversed and its sequence is flipped back before merging.</summary>
    private static OnnxValue Bidirectional(OnnxGraphBuilder g, Bidirectional bi, OnnxValue x, int?[] outShape, string desc)
    {
        if (bi.SubLayers.Count != 2 || bi.SubLayers[0] is not RecurrentLayer fwd || bi.SubLayers[1] is not RecurrentLayer bwd)
            throw new NotSupportedException($"{desc}: only Bidirectional around LSTM, GRU or SimpleRNN is exported.");
        var f = OnnxRecurrent.Convert(g, fwd, x, outShape);
        var b = OnnxRecurrent.Convert(g, bwd, x, outShape, reverseOutputs: true);
        string hint = bi.Name;
        string y = bi.MergeMode switch
        {
            "concat" => g.Node("Concat", [f.Name, b.Name], hint, ("axis", -1L)),
            "sum" => g.Node("Add", [f.Name, b.Name], hint),
            "mul" => g.Node("Mul", [f.Name, b.Name], hint),
            "ave" => g.Node("Mul", [g.Node("Add", [f.Name, b.Name], hint), g.Scalar(0.5f, hint + "/half")], hint),
            _ => throw new NotSupportedException($"{desc}: merge mode '{bi.MergeMode ?? "None"}' (two outputs) is not exported."),
        };
        // The merged sequence keeps the input's timestep mask (Bidirectional.ComputeMasks), as in Predict.
        return new OnnxValue(y, outShape, bi.ReturnSequences ? x.Mask : null);
    }

    private static string Pool(OnnxGraphBuilder g, BasePooling pool, OnnxValue x, string hint, string desc)
    {
        int r = pool.Rank;
        bool last = pool.DataFormat == "channels_last";
        bool max = pool.GetType().Name.Contains("Max", StringComparison.Ordinal);
        var input = last ? g.Node("Transpose", [x.Name], hint, ("perm", ToChannelsFirst(r))) : x.Name;
        var attrs = new List<(string, object)>
        {
            ("kernel_shape", pool.PoolSize.Select(k => (long)k).ToArray()),
            ("strides", pool.Strides.Select(s => (long)s).ToArray()),
        };
        if (pool.Padding == "same") attrs.Add(("auto_pad", "SAME_UPPER"));
        else if (pool.Padding == "valid") attrs.Add(("pads", new long[2 * r]));
        else throw new NotSupportedException($"{desc}: padding '{pool.Padding}' is not exported.");
        if (!max) attrs.Add(("count_include_pad", 0L)); // Keras averages over the real values only
        var y = g.Node(max ? "MaxPool" : "AveragePool", [input], hint, attrs.ToArray());
        return last ? g.Node("Transpose", [y], hint, ("perm", ToChannelsLast(r))) : y;
    }

    /// <summary>Inference-mode batch normalization folded into one multiply and one add on the feature axis.</summary>
    private static string BatchNorm(OnnxGraphBuilder g, BatchNormalization bn, OnnxValue x, string hint)
    {
        int rank = x.Shape.Length;
        int axis = bn.Axis < 0 ? bn.Axis + rank : bn.Axis;
        using var scope = torch.NewDisposeScope();
        var mean = Weight(bn, "moving_mean").to(ScalarType.Float64);
        var variance = Weight(bn, "moving_variance").to(ScalarType.Float64);
        var gamma = bn.Scale ? Weight(bn, "gamma").to(ScalarType.Float64) : torch.ones_like(mean);
        var beta = bn.Center ? Weight(bn, "beta").to(ScalarType.Float64) : torch.zeros_like(mean);
        var scale = gamma / (variance + bn.Epsilon).sqrt();
        var shift = beta - mean * scale;
        long[] bshape = [mean.shape[0], .. Enumerable.Repeat(1L, rank - 1 - axis)];
        var s = g.Const(scale.reshape(bshape), hint + "/scale");
        var b = g.Const(shift.reshape(bshape), hint + "/shift");
        return g.Node("Add", [g.Node("Mul", [x.Name, s], hint), b], hint);
    }

    private static string LayerNorm(OnnxGraphBuilder g, LayerNormalization ln, OnnxValue x, string hint, string desc)
    {
        int rank = x.Shape.Length;
        var axes = ln.Axis.Select(a => a < 0 ? a + rank : a).OrderBy(a => a).ToArray();
        if (axes.Length != 1 || axes[0] != rank - 1)
            throw new NotSupportedException($"{desc}: only normalization over the last axis is exported.");
        long features = x.Shape[^1] ?? throw new NotSupportedException($"{desc}: the feature dimension must be known.");
        var gamma = ln.Scale ? g.Const(Weight(ln, "gamma"), hint + "/gamma") : g.Const(Enumerable.Repeat(1f, (int)features).ToArray(), [features], hint + "/gamma");
        var beta = ln.Center ? g.Const(Weight(ln, "beta"), hint + "/beta") : g.Const(new float[features], [features], hint + "/beta");
        return g.Node("LayerNormalization", [x.Name, gamma, beta], hint, ("axis", -1L), ("epsilon", (float)ln.Epsilon));
    }

    /// <summary>Keras's masked GlobalAveragePooling1D: the mean over the unmasked steps only.</summary>
    private static string MaskedMean(OnnxGraphBuilder g, OnnxValue x, string hint, bool keepDims)
    {
        var m = g.Node("Unsqueeze", [g.Node("Cast", [x.Mask!], hint, ("to", (long)global::Onnx.TensorProto.Types.DataType.Float)), g.Int64([2], hint + "/axis")], hint);
        var sum = g.Node("ReduceSum", [g.Node("Mul", [x.Name, m], hint), g.Int64([1], hint + "/steps")], hint, ("keepdims", keepDims ? 1L : 0L));
        var count = g.Node("ReduceSum", [m, g.Int64([1], hint + "/steps_count")], hint, ("keepdims", keepDims ? 1L : 0L));
        return g.Node("Div", [sum, count], hint);
    }
}
