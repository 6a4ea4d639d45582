using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// Keras's MultiHeadAttention (inference, no attention mask, attention over the sequence axis of (batch, steps,
/// features) inputs): per-head projections, <c>softmax(q·kᵀ / √keyDim)</c>, the weighted values and the output projection.
/// </summary>
internal static class OnnxAttention
{
    public static string MultiHead(OnnxGraphBuilder g, MultiHeadAttention mha, OnnxValue[] ins, string hint, string desc)
    {
        if (ins.Length is < 2 or > 3 || ins.Any(i => i.Shape.Length != 3))
            throw new NotSupportedException($"{desc}: only query and value (and key) of shape (batch, steps, features) are exported.");
        if (ins.Any(i => i.Mask != null)) throw new NotSupportedException($"{desc}: attention with a Keras mask is not exported.");
        var subs = mha.SubLayers;
        if (subs.Count != 4) throw new InvalidOperationException($"{desc} is not built.");
        var (query, value) = (ins[0].Name, ins[1].Name);
        var key = ins.Length == 3 ? ins[2].Name : value;
        int heads = mha.NumHeads, keyDim = mha.KeyDim, valueDim = mha.ValueDim;

        // (batch, steps, d) -> (batch, heads, steps, dim)
        string Project(Layer p, string x, int dim, string name)
        {
            var kernel = OnnxLayers.Weight(p, "kernel");
            var y = g.Node("MatMul", [x, g.Const(kernel.reshape(kernel.shape[0], heads * dim), $"{hint}/{name}/kernel")], $"{hint}/{name}");
            if (p.OwnVariables.Any(v => v.Name == "bias"))
                y = g.Node("Add", [y, g.Const(OnnxLayers.Weight(p, "bias").reshape(heads * dim), $"{hint}/{name}/bias")], $"{hint}/{name}");
            y = g.Node("Reshape", [y, g.Int64([0, 0, heads, dim], $"{hint}/{name}/shape")], $"{hint}/{name}");
            return g.Node("Transpose", [y], $"{hint}/{name}", ("perm", new long[] { 0, 2, 1, 3 }));
        }
        var q = Project(subs[0], query, keyDim, "query");
        var k = Project(subs[1], key, keyDim, "key");
        var v = Project(subs[2], value, valueDim, "value");
        q = g.Node("Mul", [q, g.Scalar((float)(1.0 / Math.Sqrt(keyDim)), hint + "/scale")], hint);
        var scores = g.Node("MatMul", [q, g.Node("Transpose", [k], hint, ("perm", new long[] { 0, 1, 3, 2 }))], hint);
        var weights = g.Node("Softmax", [scores], hint, ("axis", -1L));
        var context = g.Node("MatMul", [weights, v], hint); // (batch, heads, steps, valueDim)
        context = g.Node("Transpose", [context], hint, ("perm", new long[] { 0, 2, 1, 3 }));
        context = g.Node("Reshape", [context, g.Int64([0, 0, heads * valueDim], hint + "/merge_shape")], hint);
        var output = subs[3];
        var ok = OnnxLayers.Weight(output, "kernel"); // (heads, valueDim, out...)
        var y2 = g.Node("MatMul", [context, g.Const(ok.reshape(heads * valueDim, -1), hint + "/output/kernel")], hint + "/output");
        if (output.OwnVariables.Any(w => w.Name == "bias"))
            y2 = g.Node("Add", [y2, g.Const(OnnxLayers.Weight(output, "bias").reshape(-1), hint + "/output/bias")], hint + "/output");
        return y2;
    }
}
