using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Sharpkeras.Onnx;

/// <summary>Builds an ONNX graph: unique value names, nodes with attributes, and constant initializers.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Creates a builder for the given opset of the default domain.</summary>
    public OnnxGraphBuilder(int opset = 17) => Opset = opset;

    public GraphProto Graph { get; } = new();

    /// <summary>The opset of the default domain the graph is written for (17 or later).</summary>
    public int Opset { get; }

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

    // ------------------------------------------------------------------ common nodes

    /// <summary>A reduction over <paramref name="axes"/>: the axes go in an attribute before opset 18 (an input from 18 on; ReduceSum: from 13 on).</summary>
    public string Reduce(string op, string x, long[] axes, bool keepDims, string hint)
    {
        bool axesInput = op == "ReduceSum" || Opset >= 18;
        return axesInput
            ? Node(op, [x, Int64(axes, hint + "/axes")], hint, ("keepdims", keepDims ? 1L : 0L))
            : Node(op, [x], hint, ("axes", axes), ("keepdims", keepDims ? 1L : 0L));
    }

    /// <summary>Splits <paramref name="x"/> into <paramref name="n"/> equal parts along <paramref name="axis"/>.</summary>
    public string[] SplitEqual(string x, int n, long axis, string hint) => Opset >= 18
        ? Nodes("Split", [x], n, hint, ("axis", axis), ("num_outputs", (long)n))
        : Nodes("Split", [x], n, hint, ("axis", axis));

    public string Transpose(string x, long[] perm, string hint) => Node("Transpose", [x], hint, ("perm", perm));

    public string Reshape(string x, long[] shape, string hint) => Node("Reshape", [x, Int64(shape, hint + "/shape")], hint);

    public string Unsqueeze(string x, long[] axes, string hint) => Node("Unsqueeze", [x, Int64(axes, hint + "/axes")], hint);

    public string Squeeze(string x, long[] axes, string hint) => Node("Squeeze", [x, Int64(axes, hint + "/axes")], hint);

    public string Cast(string x, TensorProto.Types.DataType to, string hint) => Node("Cast", [x], hint, ("to", (long)to));

    /// <summary>x[starts:ends] along <paramref name="axes"/> (ends may be <see cref="long.MaxValue"/> for "to the end").</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes, string hint) =>
        Node("Slice", [x, Int64(starts, hint + "/starts"), Int64(ends, hint + "/ends"), Int64(axes, hint + "/slice_axes")], hint);

    /// <summary>Zero padding: <paramref name="pads"/> is ONNX's [begin of every axis..., end of every axis...].</summary>
    public string Pad(string x, long[] pads, string hint) => Node("Pad", [x, Int64(pads, hint + "/pads")], hint);

    /// <summary>The batch size of <paramref name="x"/> as a 1-D int64 value of one element.</summary>
    public string BatchSize(string x, string hint) =>
        Node("Slice", [Node("Shape", [x], hint), Int64([0], hint + "/s0"), Int64([1], hint + "/s1")], hint);

    /// <summary>A float32 tensor of zeros of the (1-D int64) shape <paramref name="shape"/>.</summary>
    public string Zeros(string shape, string hint)
    {
        var zero = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        zero.Dims.Add(1);
        zero.FloatData.Add(0f);
        return Node("ConstantOfShape", [shape], hint, ("value", zero));
    }

    /// <summary>A bool constant.</summary>
    public string Bool(bool[] values, long[] dims, string hint)
    {
        var t = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Bool };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(values.Select(b => b ? (byte)1 : (byte)0).ToArray());
        Graph.Initializer.Add(t);
        return t.Name;
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
