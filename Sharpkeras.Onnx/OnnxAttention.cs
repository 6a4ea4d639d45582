using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// Keras's attention layers at inference, with their masks: the Keras masks of query and value (and key), the causal
/// mask of <c>useCausalMask</c>, and MultiHeadAttention's explicit bool attention mask input; the attention scores
/// are a second output when the layer returns them.
/// </summary>
internal static class OnnxAttention
{
    /// <summary>Keras's CausalMask: position i of the query sees positions j &lt;= i of the key, (1, T, S).</summary>
    private static string Causal(OnnxGraphBuilder g, int?[] query, int?[] key, string hint, string desc)
    {
        if (query[^2] is not int t || key[^2] is not int s)
            throw new NotSupportedException($"{desc}: useCausalMask needs fixed sequence lengths to export.");
        var values = new bool[t * s];
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= Math.Min(i, s - 1); j++) values[i * s + j] = true;
        return g.Bool(values, [1, t, s], hint + "/causal_mask");
    }

    private static string And(OnnxGraphBuilder g, string? a, string b, string hint) => a is null ? b : g.Node("And", [a, b], hint);

    /// <summary>
    /// Attention (dot or concat scores, optional scale) and AdditiveAttention: scores masked by the value mask and the
    /// causal mask (scores − 1e9 where masked), softmax over the value steps, the weighted values, and zeros where the
    /// query is masked. Outputs: [output] or [output, attention weights].
    /// </summary>
    public static OnnxValue[] DotProduct(OnnxGraphBuilder g, Attention att, OnnxValue[] ins, int?[][] outShapes, string desc)
    {
        string hint = att.Name;
        if (ins.Length is < 2 or > 3) throw new NotSupportedException($"{desc}: expected [query, value] or [query, value, key].");
        var (q, v) = (ins[0], ins[1]);
        var k = ins.Length == 3 ? ins[2] : v;
        string scores;
        if (att is AdditiveAttention)
        {
            var sum = g.Node("Tanh", [g.Node("Add", [g.Unsqueeze(q.Name, [-2], hint), g.Unsqueeze(k.Name, [-3], hint)], hint)], hint);
            if (att.UseScale) sum = g.Node("Mul", [sum, g.Const(OnnxLayers.Weight(att, "scale"), hint + "/scale")], hint);
            scores = g.Reduce("ReduceSum", sum, [-1], false, hint);
        }
        else if (att.ScoreMode == "dot")
        {
            var kt = g.Transpose(k.Name, [.. Enumerable.Range(0, k.Shape.Length - 2).Select(i => (long)i), k.Shape.Length - 1, k.Shape.Length - 2], hint);
            scores = g.Node("MatMul", [q.Name, kt], hint);
            if (att.UseScale) scores = g.Node("Mul", [scores, g.Const(OnnxLayers.Weight(att, "scale"), hint + "/scale")], hint);
        }
        else
        {
            var sum = g.Node("Add", [g.Unsqueeze(q.Name, [-2], hint), g.Unsqueeze(k.Name, [-3], hint)], hint);
            if (att.UseScale) sum = g.Node("Mul", [sum, g.Const(OnnxLayers.Weight(att, "scale"), hint + "/scale")], hint);
            scores = g.Reduce("ReduceSum", g.Node("Tanh", [sum], hint), [-1], false, hint);
            scores = g.Node("Mul", [scores, g.Const(OnnxLayers.Weight(att, "concat_score_weight"), hint + "/concat_score_weight")], hint);
        }
        string? mask = v.Mask is null ? null : g.Unsqueeze(v.Mask, [-2], hint + "/value_mask");
        if (att.UseCausalMask) mask = And(g, mask, Causal(g, q.Shape, k.Shape, hint, desc), hint + "/mask");
        if (mask != null)
            scores = g.Node("Where", [mask, scores, g.Node("Sub", [scores, g.Scalar(1e9f, hint + "/big")], hint)], hint);
        var weights = g.Node("Softmax", [scores], hint, ("axis", -1L));
        var output = g.Node("MatMul", [weights, v.Name], hint);
        if (q.Mask != null)
            output = g.Node("Where", [g.Unsqueeze(q.Mask, [-1], hint + "/query_mask"), output, g.Scalar(0f, hint + "/zero")], hint);
        var result = new List<OnnxValue> { new(output, outShapes[0], q.Mask) };
        if (att.ReturnAttentionScores) result.Add(new OnnxValue(weights, outShapes[1]));
        return result.ToArray();
    }

    /// <summary>
    /// Keras's MultiHeadAttention over the sequence axis of (batch, steps, features) inputs: per-head projections,
    /// softmax(q·kᵀ / √keyDim) with the combined mask, the weighted values and the output projection. The mask is
    /// applied as Predict applies it: an additive −0.7·float.MaxValue on the fused path (no dropout, no returned
    /// scores), else masked scores set to −1e9 and their probabilities to 0.
    /// </summary>
    public static OnnxValue[] MultiHead(OnnxGraphBuilder g, MultiHeadAttention mha, OnnxValue[] ins, int?[][] outShapes, string desc)
    {
        string hint = mha.Name;
        int n = ins.Length;
        bool hasMask = n >= 3 && ins[^1].DType == ScalarType.Bool;
        int tensors = hasMask ? n - 1 : n;
        if (tensors is < 2 or > 3 || ins.Take(tensors).Any(i => i.Shape.Length != 3))
            throw new NotSupportedException($"{desc}: only query and value (and key) of shape (batch, steps, features) are exported.");
        if (mha.AttentionAxes is { } axes && !(axes.Count == 1 && axes[0] == 1))
            throw new NotSupportedException($"{desc}: only attention over the steps axis is exported.");
        var subs = mha.SubLayers;
        if (subs.Count != 4) throw new InvalidOperationException($"{desc} is not built.");
        var (qv, vv) = (ins[0], ins[1]);
        var kv = tensors == 3 ? ins[2] : vv;
        int heads = mha.NumHeads, keyDim = mha.KeyDim, valueDim = mha.ValueDim;

        // (batch, steps, d) -> (batch, heads, steps, dim)
        string Project(Layer p, string x, int dim, string name)
        {
            var kernel = OnnxLayers.Weight(p, "kernel");
            var y = g.Node("MatMul", [x, g.Const(kernel.reshape(kernel.shape[0], heads * dim), $"{hint}/{name}/kernel")], $"{hint}/{name}");
            if (OnnxLayers.HasWeight(p, "bias"))
                y = g.Node("Add", [y, g.Const(OnnxLayers.Weight(p, "bias").reshape(heads * dim), $"{hint}/{name}/bias")], $"{hint}/{name}");
            y = g.Reshape(y, [0, 0, heads, dim], $"{hint}/{name}");
            return g.Transpose(y, [0, 2, 1, 3], $"{hint}/{name}");
        }
        var q = Project(subs[0], qv.Name, keyDim, "query");
        var k = Project(subs[1], kv.Name, keyDim, "key");
        var v = Project(subs[2], vv.Name, valueDim, "value");

        // Keras's _compute_attention_mask: query (B, T, 1) & value (B, 1, S) & key (B, 1, S) & causal (1, T, S) & explicit.
        string? mask = null;
        if (qv.Mask != null) mask = g.Unsqueeze(qv.Mask, [-1], hint + "/query_mask");
        if (vv.Mask != null) mask = And(g, mask, g.Unsqueeze(vv.Mask, [-2], hint + "/value_mask"), hint + "/mask");
        if (tensors == 3 && kv.Mask != null) mask = And(g, mask, g.Unsqueeze(kv.Mask, [-2], hint + "/key_mask"), hint + "/mask");
        if (mha.UseCausalMask) mask = And(g, mask, Causal(g, qv.Shape, vv.Shape, hint, desc), hint + "/mask");
        if (hasMask)
        {
            if (ins[^1].Shape.Length != 3)
                throw new NotSupportedException($"{desc}: only an attention mask of shape (batch, query steps, key steps) is exported.");
            var explicitMask = ins[^1].Name;
            mask = mask is null ? explicitMask : g.Node("And", [explicitMask, mask], hint + "/mask");
        }
        // (B, T, S) -> (B, 1, T, S): the same mask for every head.
        string? headMask = mask is null ? null : g.Unsqueeze(mask, [-3], hint + "/head_mask");

        var scaled = g.Node("Mul", [q, g.Scalar((float)(1.0 / Math.Sqrt(keyDim)), hint + "/scale")], hint);
        var scores = g.Node("MatMul", [scaled, g.Transpose(k, [0, 1, 3, 2], hint)], hint);
        bool fused = mha.Dropout == 0 && !mha.ReturnAttentionScores;
        string weights;
        if (headMask is null) weights = g.Node("Softmax", [scores], hint, ("axis", -1L));
        else if (fused)
        {
            var additive = g.Node("Where", [headMask, g.Scalar(0f, hint + "/zero"), g.Scalar(-0.7f * 3.38953e38f, hint + "/big")], hint);
            weights = g.Node("Softmax", [g.Node("Add", [scores, additive], hint)], hint, ("axis", -1L));
        }
        else
        {
            var filled = g.Node("Where", [headMask, scores, g.Scalar(-1e9f, hint + "/big")], hint);
            weights = g.Node("Where", [headMask, g.Node("Softmax", [filled], hint, ("axis", -1L)), g.Scalar(0f, hint + "/zero")], hint);
        }
        var context = g.Node("MatMul", [weights, v], hint); // (batch, heads, steps, valueDim)
        context = g.Transpose(context, [0, 2, 1, 3], hint);
        context = g.Reshape(context, [0, 0, heads * valueDim], hint + "/merge");
        var output = subs[3];
        var ok = OnnxLayers.Weight(output, "kernel"); // (heads, valueDim, out...)
        var y = g.Node("MatMul", [context, g.Const(ok.reshape(heads * valueDim, -1), hint + "/output/kernel")], hint + "/output");
        if (OnnxLayers.HasWeight(output, "bias"))
            y = g.Node("Add", [y, g.Const(OnnxLayers.Weight(output, "bias").reshape(-1), hint + "/output/bias")], hint + "/output");
        if (ok.dim() > 3) y = g.Reshape(y, [0, 0, .. ok.shape[2..]], hint + "/output");
        var result = new List<OnnxValue> { new(y, outShapes[0], qv.Mask) };
        if (mha.ReturnAttentionScores) result.Add(new OnnxValue(weights, outShapes[1]));
        return result.ToArray();
    }
}
