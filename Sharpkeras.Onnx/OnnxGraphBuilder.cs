using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Sharpkeras.Onnx;

/// <summary>Builds an ONNX graph: unique value names, nodes with attributes, and constant initializers.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphProto Graph { get; } = new();

    /// <summary>A value name not used yet, derived from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        var clean = new string(hint.Select(c => char.IsLetterOrDigit(c) || c is '_' or '/' or '.' ? c : '_').ToArray());
        string name = clean;
        while (!_names.Add(name)) name = $"{clean}_{++_counter}";
        return name;
    }

    /// <summary>Reserves an exact name (graph inputs).</summary>
    public string Reserve(string name) => Fresh(name);

    /// <summary>A float32 constant.</summary>
    public string Const(float[] values, long[] dims, string hint)
    {
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A float32 constant from a tensor (any device, any float dtype).</summary>
    public string Const(TorchSharp.torch.Tensor value, string hint)
    {
        using var v = value.detach().to(TorchSharp.torch.ScalarType.Float32).cpu().contiguous();
        return Const(v.data<float>().ToArray(), v.shape, hint);
    }

    /// <summary>A float32 scalar constant.</summary>
    public string Scalar(float value, string hint) => Const([value], [], hint);

    /// <summary>An int64 constant (shapes, axes, indices); <paramref name="dims"/> null makes a 1-D tensor, empty a scalar.</summary>
    public string Int64(long[] values, string hint, long[]? dims = null)
    {
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(dims ?? [values.Length]);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string op, IEnumerable<string> inputs, string hint, params (string Name, object Value)[] attributes) =>
        Nodes(op, inputs, 1, hint, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Nodes(string op, IEnumerable<string> inputs, int outputs, string hint, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(hint + "/" + op) };
        node.Input.AddRange(inputs);
        var outs = Enumerable.Range(0, outputs).Select(i => Fresh(hint + "/" + op.ToLowerInvariant() + (outputs > 1 ? $"_{i}" : ""))).ToArray();
        node.Output.AddRange(outs);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        Graph.Node.Add(node);
        return outs;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case int[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints.Select(x => (long)x)); break;
            case float[] fs: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(fs); break;
            case TensorProto t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = t; break;
            default: throw new ArgumentException($"Unsupported ONNX attribute value {value.GetType().Name} for '{name}'.", nameof(value));
        }
        return a;
    }

    /// <summary>A graph input or output description: element type and shape, null dimensions symbolic ("batch").</summary>
    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, IReadOnlyList<int?> shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        for (int i = 0; i < shape.Count; i++)
            tensorType.Shape.Dim.Add(shape[i] is int d
                ? new TensorShapeProto.Types.Dimension { DimValue = d }
                : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "batch" : $"dim_{i}" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
