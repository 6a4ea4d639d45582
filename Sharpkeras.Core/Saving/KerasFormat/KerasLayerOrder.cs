using Sharpkeras.Layers;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// The order of a Functional model's layers as Keras computes it (<c>keras/src/ops/function.py</c>,
/// <c>map_graph</c>): a depth-first walk from the outputs numbers the layers in the order it first meets them; each
/// layer's depth is its longest distance to an output; layers come deepest first, ties in walk order. Keras names the
/// weight groups of <c>model.layers</c> in this order ("dense", "dense_1", …), so reading and writing a
/// <c>model.weights.h5</c> must use it too, whatever order Sharpkeras keeps its layers in.
/// </summary>
internal static class KerasLayerOrder
{
    public static List<Layer> Of(Model model)
    {
        var inputs = new HashSet<KerasTensor>(model.GraphInputs!, ReferenceEqualityComparer.Instance);
        var finished = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var inProgress = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var order = new List<Node>();
        var walkIndex = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);

        void Walk(KerasTensor tensor)
        {
            var node = tensor.Node;
            if (finished.Contains(node)) return;
            bool isInput = node.Layer is InputLayer;
            if (!isInput && inputs.Contains(tensor)) { finished.Add(node); return; }
            if (!inProgress.Add(node)) return; // a cycle cannot be built in Sharpkeras; be safe
            walkIndex.TryAdd(node.Layer, walkIndex.Count);
            if (!isInput) foreach (var t in node.Inputs) Walk(t);
            finished.Add(node);
            inProgress.Remove(node);
            order.Add(node);
        }
        foreach (var output in model.GraphOutputs!) Walk(output);

        var inGraph = new HashSet<Node>(order, ReferenceEqualityComparer.Instance);
        var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            if (!nodeDepth.TryGetValue(node, out int depth)) nodeDepth[node] = depth = 0;
            depth = Math.Max(depth, layerDepth.GetValueOrDefault(node.Layer, 0));
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            if (node.Layer is InputLayer) continue;
            foreach (var parent in node.Inputs.Select(t => t.Node))
                if (inGraph.Contains(parent))
                    nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(parent, 0));
        }
        foreach (var t in model.GraphInputs!)
            if (t.Node.Layer is InputLayer il && !layerDepth.ContainsKey(il))
            {
                layerDepth[il] = 0;
                walkIndex[il] = -1;
            }
        return layerDepth.OrderByDescending(kv => kv.Value).ThenBy(kv => walkIndex[kv.Key]).Select(kv => kv.Key).ToList();
    }
}
