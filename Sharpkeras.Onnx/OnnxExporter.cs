using Onnx;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// Turns a built Sharpkeras model into an ONNX <see cref="ModelProto"/>: walks a Functional graph node by node (a
/// Sequential layer by layer; nested models are inlined) and converts each layer with <see cref="OnnxLayers"/>.
/// </summary>
internal static class OnnxExporter
{
    /// <summary>The ONNX IR version that goes with opset 17.</summary>
    private const long IrVersion = 8;

    public static ModelProto Export(Model model, int opset)
    {
        var g = new OnnxGraphBuilder(opset);
        g.Graph.Name = model.Name;
        var inputs = new List<OnnxValue>();
        foreach (var (name, shape, dtype) in GraphInputs(model))
        {
            var n = g.Reserve(name);
            g.Graph.Input.Add(OnnxGraphBuilder.ValueInfo(n, ElementType(dtype, model), shape));
            inputs.Add(new OnnxValue(n, shape, DType: dtype));
        }
        var outputs = ExportModel(g, model, inputs);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < outputs.Length; i++)
        {
            var o = outputs[i];
            string name = o.Name;
            // An output must be produced by a node and appear once: alias it otherwise.
            if (!seen.Add(name) || inputs.Any(x => x.Name == name) || g.Graph.Initializer.Any(t => t.Name == name))
                name = g.Node("Identity", [o.Name], $"output_{i}");
            g.Graph.Output.Add(OnnxGraphBuilder.ValueInfo(name, ElementType(o.DType, model), o.Shape));
        }
        var proto = new ModelProto
        {
            IrVersion = IrVersion, ProducerName = "Sharpkeras", ProducerVersion = Keras.Version,
            DocString = $"Exported from Sharpkeras model '{model.Name}'.", Graph = g.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }

    /// <summary>The ONNX element type of a Sharpkeras dtype.</summary>
    public static TensorProto.Types.DataType ElementType(ScalarType t, Model model) => t switch
    {
        ScalarType.Float32 => TensorProto.Types.DataType.Float,
        ScalarType.Int64 => TensorProto.Types.DataType.Int64,
        ScalarType.Int32 => TensorProto.Types.DataType.Int32,
        ScalarType.Bool => TensorProto.Types.DataType.Bool,
        _ => throw new NotSupportedException($"Model '{model.Name}' has an input or output of dtype {t}; the ONNX exporter supports float32, int32, int64 and bool tensors."),
    };

    private static List<(string Name, int?[] Shape, ScalarType DType)> GraphInputs(Model model)
    {
        var list = new List<(string, int?[], ScalarType)>();
        if (model.Inputs.Count > 0)
        {
            // A Sequential built by calling it on data records a float input; an Embedding first takes integer ids.
            bool ids = model is Sequential { Layers.Count: > 0 } s0 && s0.Layers[0] is Embedding;
            foreach (var t in model.Inputs) list.Add((t.Layer.Name, t.Shape, ids && torch.is_floating_point(t.DType) ? ScalarType.Int64 : t.DType));
            return list;
        }
        if (model is Sequential seq && seq.Layers.Count > 0 && seq.Layers[0].InputShape is int?[] s)
        {
            var first = seq.Layers[0];
            list.Add(("input", s, first is Embedding ? ScalarType.Int64 : ScalarType.Float32));
            return list;
        }
        throw new InvalidOperationException(
            $"Model '{model.Name}' is not built, so its input shape is unknown. Give it an input shape (Keras.Input or inputShape:) or call it on data before ExportOnnx.");
    }

    /// <summary>Converts <paramref name="model"/> applied to <paramref name="inputs"/>; returns its outputs.</summary>
    public static OnnxValue[] ExportModel(OnnxGraphBuilder g, Model model, IReadOnlyList<OnnxValue> inputs)
    {
        if (model.GraphNodes is { } nodes)
        {
            var values = new Dictionary<KerasTensor, OnnxValue>(ReferenceEqualityComparer.Instance);
            var graphInputs = model.GraphInputs!;
            if (graphInputs.Count != inputs.Count)
                throw new InvalidOperationException($"Model '{model.Name}' takes {graphInputs.Count} inputs; {inputs.Count} were given.");
            for (int i = 0; i < graphInputs.Count; i++) values[graphInputs[i]] = inputs[i];
            foreach (var node in nodes)
            {
                if (node.Layer is InputLayer) continue;
                var ins = node.Inputs.Select(t => values.TryGetValue(t, out var v) ? v
                    : throw new InvalidOperationException($"Internal error: layer '{node.Layer.Name}' reads a tensor that was not produced yet.")).ToArray();
                var outs = ConvertLayer(g, node.Layer, ins, node.Outputs.Select(o => o.Shape).ToArray());
                if (outs.Length != node.Outputs.Length)
                    throw new NotSupportedException($"Layer '{node.Layer.Name}' ({node.Layer.GetType().Name}) has {node.Outputs.Length} outputs; the ONNX exporter produced {outs.Length}.");
                for (int i = 0; i < outs.Length; i++) values[node.Outputs[i]] = outs[i] with { Shape = node.Outputs[i].Shape, DType = OutputType(node.Outputs[i].DType) };
            }
            return model.GraphOutputs!.Select(t => values[t]).ToArray();
        }
        if (model is Sequential seq)
        {
            if (inputs.Count != 1) throw new InvalidOperationException($"Sequential model '{model.Name}' takes one input; {inputs.Count} were given.");
            var v = inputs[0];
            foreach (var layer in seq.Layers)
            {
                var shape = layer.OutputShape ?? throw new InvalidOperationException($"Layer '{layer.Name}' of model '{model.Name}' is not built; call the model on data before ExportOnnx.");
                var outs = ConvertLayer(g, layer, [v], [shape]);
                if (outs.Length != 1)
                    throw new NotSupportedException($"Layer '{layer.Name}' ({layer.GetType().Name}) has {outs.Length} outputs, which a Sequential model cannot pass on.");
                v = outs[0] with { Shape = shape };
            }
            return [v];
        }
        throw new NotSupportedException(
            $"Model '{model.Name}' ({model.GetType().Name}) is a subclassed model whose computation is C# code; only Sequential and Functional models can be exported to ONNX.");
    }

    /// <summary>Float64 and float16 layer outputs are computed in float32 by the exporter.</summary>
    private static ScalarType OutputType(ScalarType t) => t is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Bool ? t : ScalarType.Float32;

    private static OnnxValue[] ConvertLayer(OnnxGraphBuilder g, Layer layer, OnnxValue[] ins, int?[][] outShapes)
    {
        if (layer is Model sub) return ExportModel(g, sub, ins);
        return OnnxLayers.Convert(g, layer, ins, outShapes);
    }
}
