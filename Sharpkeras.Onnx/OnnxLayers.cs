using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Sharpkeras.Onnx;

/// <summary>
/// Converts one layer, in inference mode, to ONNX nodes (opset 17). Images stay channels_last as Keras users feed
/// them: convolutions and pooling transpose to ONNX's channels_first and back around their operator. Keras masks
/// (from <c>Embedding(maskZero)</c> or <c>Masking</c>) travel with the values and are applied where Predict applies
/// them. A layer that has no conversion here gets a <see cref="NotSupportedException"/> naming it.
/// </summary>
internal static class OnnxLayers
{
    public static string Describe(Layer layer) => $"Layer '{layer.Name}' ({layer.GetType().Name})";

    /// <summary>The layer's weight <paramref name="name"/> in Keras's layout (CPU, float32).</summary>
    public static Tensor Weight(Layer layer, string name) =>
        (layer.OwnVariables.FirstOrDefault(v => v.Name == name)
         ?? throw new InvalidOperationException($"{Describe(layer)} has no weight '{name}'; is it built?")).ToKerasLayout().to(ScalarType.Float32);

    public static bool HasWeight(Layer layer, string name) => layer.OwnVariables.Any(v => v.Name == name);

    /// <summary>Layers that are the identity at inference (random augmentation, noise, dropout, regularization).</summary>
    private static bool IsInferenceIdentity(Layer layer) => layer is Dropout or BaseSpatialDropout or GaussianNoise or GaussianDropout
        or AlphaDropout or ActivityRegularization or Identity or RandomFlip or RandomTranslation or RandomRotation or RandomZoom
        or RandomContrast or RandomBrightness;

    /// <summary>A bool Keras mask broadcast against a value of rank <paramref name="rank"/>: trailing axes added.</summary>
    public static string MaskFor(OnnxGraphBuilder g, string mask, int maskRank, int rank, string hint) =>
        rank > maskRank ? g.Unsqueeze(mask, Enumerable.Range(maskRank, rank - maskRank).Select(a => (long)a).ToArray(), hint + "/mask") : mask;

    public static OnnxValue[] Convert(OnnxGraphBuilder g, Layer layer, OnnxValue[] ins, int?[][] outShapes)
    {
        string hint = layer.Name;
        string desc = Describe(layer);
        var x = ins[0];
        bool masked = ins.Any(i => i.Mask != null);
        // A layer that supports masking passes its input's mask on (Layer.ComputeMask); others drop it.
        OnnxValue Out(string name) => new(name, outShapes[0], layer.SupportsMasking ? x.Mask : null);

        if (IsInferenceIdentity(layer)) return [Out(g.Node("Identity", [x.Name], hint))];

        switch (layer)
        {
            // Layers with several outputs or their own mask handling.
            case RecurrentLayer rnn:
                return OnnxRecurrent.Convert(g, rnn, ins, outShapes);
            case Bidirectional bi:
                return OnnxRecurrent.Bidirectional(g, bi, ins, outShapes);
            case TimeDistributed td:
                return [TimeDistributed(g, td, x, outShapes[0], desc)];
            case MultiHeadAttention mha:
                return OnnxAttention.MultiHead(g, mha, ins, outShapes, desc);
            case Attention att:
                return OnnxAttention.DotProduct(g, att, ins, outShapes, desc);
            case Merge merge:
                return [OnnxMerging.Convert(g, merge, ins, outShapes[0], desc)];
            case GlobalAveragePooling1D gap1 when x.Mask != null:
                return [new OnnxValue(MaskedMean(g, x, hint, gap1.KeepDims, gap1.DataFormat == "channels_last"), outShapes[0])];
            case Masking masking:
            {
                // Keras: a step is kept when any of its features differs from the mask value; masked steps become zeros.
                var keep = g.Node("Not", [g.Node("Equal", [x.Name, g.Scalar((float)masking.MaskValue, hint + "/value")], hint)], hint);
                var mask = g.Reduce("ReduceMax", g.Cast(keep, DataType.Float, hint), [-1], keepDims: false, hint + "/mask");
                var stepMask = g.Cast(mask, DataType.Bool, hint + "/mask");
                var y = g.Node("Mul", [x.Name, g.Unsqueeze(mask, [-1], hint)], hint);
                return [new OnnxValue(y, outShapes[0], stepMask)];
            }
            case Softmax sm when masked:
                throw new NotSupportedException($"{desc} receives a Keras mask; the ONNX exporter does not apply masks in Softmax.");
        }

        switch (layer)
        {
            case Embedding emb:
            {
                var ids = g.Cast(x.Name, DataType.Int64, hint);
                var y = g.Node("Gather", [g.Const(Weight(emb, "embeddings"), hint + "/embeddings"), ids], hint, ("axis", 0L));
                string? mask = emb.MaskZero ? g.Node("Not", [g.Node("Equal", [ids, g.Int64([0], hint + "/zero", [])], hint)], hint + "/mask") : null;
                return [new OnnxValue(y, outShapes[0], mask)];
            }
            case TokenAndPositionEmbedding tpe when tpe.SubLayers.Count == 2 && x.Shape.Length == 2 && x.Shape[1] is int steps:
            {
                var ids = g.Cast(x.Name, DataType.Int64, hint);
                var tokens = g.Node("Gather", [g.Const(Weight(tpe.SubLayers[0], "embeddings"), hint + "/token_embeddings"), ids], hint, ("axis", 0L));
                var positions = Weight(tpe.SubLayers[1], "embeddings")[..steps];
                return [Out(g.Node("Add", [tokens, g.Const(positions, hint + "/position_embeddings")], hint))];
            }
            case Dense dense:
            {
                var y = g.Node("MatMul", [x.Name, g.Const(Weight(dense, "kernel"), hint + "/kernel")], hint);
                if (dense.UseBias) y = g.Node("Add", [y, g.Const(Weight(dense, "bias"), hint + "/bias")], hint);
                return [Out(OnnxActivations.Apply(g, dense.ActivationName, y, hint, desc))];
            }
            case Activation act:
                return [Out(OnnxActivations.Apply(g, act.ActivationName, x.Name, hint, desc))];
            case ReLU relu:
                return [Out(Relu(g, relu, x.Name, hint))];
            case LeakyReLU lr:
                return [Out(g.Node("LeakyRelu", [x.Name], hint, ("alpha", (float)lr.NegativeSlope)))];
            case ELU elu:
                return [Out(g.Node("Elu", [x.Name], hint, ("alpha", (float)elu.Alpha)))];
            case Softmax sm:
                return [Out(OnnxActivations.Softmax(g, x.Name, sm.Axis.Select(a => (long)(a < 0 ? a + x.Shape.Length : a)).ToArray(), hint))];
            case PReLU prelu:
                return [Out(g.Node("PRelu", [x.Name, g.Const(Weight(prelu, "alpha"), hint + "/alpha")], hint))];
            case BaseConvTranspose ct:
                return [Out(OnnxConvolution.ConvTranspose(g, ct, x, hint, desc))];
            case BaseConv conv:
                return [Out(OnnxConvolution.Conv(g, conv, x, hint, desc))];
            case BaseDepthwiseConv dw:
                return [Out(OnnxConvolution.DepthwiseConv(g, dw, x, hint, desc))];
            case BaseSeparableConv sep:
                return [Out(OnnxConvolution.SeparableConv(g, sep, x, hint, desc))];
            case BasePooling pool:
                return [Out(OnnxConvolution.Pool(g, pool, x, hint, desc))];
            case BaseGlobalPooling gp:
            {
                bool last = gp.DataFormat == "channels_last";
                var axes = Enumerable.Range(last ? 1 : 2, gp.Rank).Select(a => (long)a).ToArray();
                string op = gp.GetType().Name.Contains("Max", StringComparison.Ordinal) ? "ReduceMax" : "ReduceMean";
                return [Out(g.Reduce(op, x.Name, axes, gp.KeepDims, hint))];
            }
            case BatchNormalization bn:
                return [Out(OnnxNormalization.BatchNorm(g, bn, x, hint))];
            case LayerNormalization ln:
                return [Out(OnnxNormalization.LayerNorm(g, ln, x, hint, desc))];
            case GroupNormalization gn:
                return [Out(OnnxNormalization.GroupNorm(g, gn, x, hint, desc))];
            case RMSNormalization rms:
                return [Out(OnnxNormalization.RmsNorm(g, rms, x, hint))];
            case BaseAdaptivePooling ap:
                return [Out(OnnxConvolution.AdaptivePool(g, ap, x, hint, desc))];
            case UnitNormalization un:
                return [Out(OnnxNormalization.UnitNorm(g, un, x, hint))];
        }
        if (OnnxReshaping.TryConvert(g, layer, x, outShapes[0], hint, desc) is string reshaped) return [Out(reshaped)];
        if (OnnxPreprocessing.TryConvert(g, layer, x, outShapes[0], hint, desc) is OnnxValue pre) return [pre with { Mask = layer.SupportsMasking ? x.Mask : null }];
        throw new NotSupportedException($"{desc} cannot be exported to ONNX: the exporter has no conversion for {layer.GetType().Name}.");
    }

    /// <summary>Keras's ReLU layer: threshold, negative slope and cap, as ReLU.Call computes them.</summary>
    private static string Relu(OnnxGraphBuilder g, ReLU relu, string x, string hint)
    {
        if (relu.NegativeSlope != 0 && relu.MaxValue is null && relu.Threshold == 0)
            return g.Node("LeakyRelu", [x], hint, ("alpha", (float)relu.NegativeSlope));
        string y = relu.Threshold != 0
            ? g.Node("Where", [g.Node("Greater", [x, g.Scalar((float)relu.Threshold, hint + "/threshold")], hint), x, g.Scalar(0f, hint + "/zero")], hint)
            : g.Node("Relu", [x], hint);
        if (relu.MaxValue is double m) y = g.Node("Min", [y, g.Scalar((float)m, hint + "/max")], hint);
        if (relu.NegativeSlope != 0)
        {
            var below = g.Node("Relu", [g.Node("Sub", [g.Scalar((float)relu.Threshold, hint + "/threshold2"), x], hint)], hint);
            y = g.Node("Sub", [y, g.Node("Mul", [below, g.Scalar((float)relu.NegativeSlope, hint + "/slope")], hint)], hint);
        }
        return y;
    }

    /// <summary>
    /// TimeDistributed: the (batch, time) axes are folded into one, the wrapped layer is converted on
    /// (batch · time, ...), and the result unfolded; the input's timestep mask passes on.
    /// </summary>
    private static OnnxValue TimeDistributed(OnnxGraphBuilder g, TimeDistributed td, OnnxValue x, int?[] outShape, string desc)
    {
        var inner = td.Layer;
        string hint = td.Name;
        if (x.Shape[1] is not int steps || x.Shape.Skip(2).Any(d => d is null) || outShape.Skip(2).Any(d => d is null))
            throw new NotSupportedException($"{desc}: the number of time steps and the per-step shapes must be fixed to export (input {Engine.ShapeUtils.Format(x.Shape)}).");
        if (x.Mask != null && inner is not (Dense or Activation or Dropout or ReLU or LeakyReLU or ELU or LayerNormalization))
            throw new NotSupportedException($"{desc} receives a Keras mask; the ONNX exporter passes masks through TimeDistributed only around layers that ignore them.");
        int?[] innerIn = [null, .. x.Shape[2..]];
        int?[] innerOut = [null, .. outShape[2..]];
        var folded = g.Reshape(x.Name, [-1, .. innerIn[1..].Select(d => (long)d!.Value)], hint + "/fold");
        var y = Convert(g, inner, [new OnnxValue(folded, innerIn, null, x.DType)], [innerOut]);
        if (y.Length != 1) throw new NotSupportedException($"{desc}: the wrapped layer has {y.Length} outputs.");
        var unfolded = g.Reshape(y[0].Name, [-1, steps, .. innerOut[1..].Select(d => (long)d!.Value)], hint + "/unfold");
        return new OnnxValue(unfolded, outShape, x.Mask, y[0].DType);
    }

    /// <summary>Keras's masked GlobalAveragePooling1D: the mean over the unmasked steps only.</summary>
    private static string MaskedMean(OnnxGraphBuilder g, OnnxValue x, string hint, bool keepDims, bool channelsLast)
    {
        long steps = channelsLast ? 1 : 2;
        var m = g.Unsqueeze(g.Cast(x.Mask!, DataType.Float, hint), [channelsLast ? 2 : 1], hint);
        var sum = g.Reduce("ReduceSum", g.Node("Mul", [x.Name, m], hint), [steps], keepDims, hint);
        var count = g.Reduce("ReduceSum", m, [steps], keepDims, hint + "/count");
        return g.Node("Div", [sum, count], hint);
    }
}
