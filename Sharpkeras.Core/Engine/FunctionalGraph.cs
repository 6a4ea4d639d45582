using Sharpkeras.Layers;
using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>
/// The directed acyclic graph of layer calls between symbolic inputs and outputs (Keras's <c>Functional</c>
/// graph): built once from <see cref="KerasTensor"/>s, checked (connected, acyclic, unique layer names), and run
/// on real tensors node by node with masks flowing along the edges. A Functional <see cref="Model"/> and a built
/// <see cref="Sequential"/> both run through one.
/// </summary>
internal sealed class FunctionalGraph
{
    private readonly List<Node> _nodes = new();

    /// <summary>Builds and checks the graph from <paramref name="inputs"/> (made by <c>Keras.Input</c>) to <paramref name="outputs"/>.</summary>
    public FunctionalGraph(KerasTensor[] inputs, KerasTensor[] outputs, string modelName)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (inputs.Length == 0) throw new ArgumentException("A Functional model needs at least one input.", nameof(inputs));
        if (outputs.Length == 0) throw new ArgumentException("A Functional model needs at least one output.", nameof(outputs));
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null) throw new ArgumentNullException($"{nameof(inputs)}[{i}]");
            if (inputs[i].Layer is not InputLayer)
                throw new ArgumentException(
                    $"Model inputs must be tensors made by Keras.Input; inputs[{i}] comes from layer '{inputs[i].Layer.Name}'.", nameof(inputs));
        }
        Inputs = inputs;
        Outputs = outputs;
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var inputNodes = new HashSet<Node>(inputs.Select(i => i.Node), ReferenceEqualityComparer.Instance);
        var onPath = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        void Visit(KerasTensor t, string consumer)
        {
            var node = t.Node;
            if (visited.Contains(node)) return;
            if (node.Layer is InputLayer && !inputNodes.Contains(node))
                throw new ArgumentException(
                    $"Graph disconnected: cannot obtain a value for input '{node.Layer.Name}' needed by layer '{consumer}'. Pass it in the model's inputs.", nameof(inputs));
            if (!onPath.Add(node)) throw new ArgumentException($"The graph has a cycle at layer '{node.Layer.Name}'.");
            foreach (var i in node.Inputs) Visit(i, node.Layer.Name);
            onPath.Remove(node);
            visited.Add(node);
            _nodes.Add(node);
        }
        // Inputs first, in the given order (Keras lists the input layers first).
        foreach (var i in inputs) { if (visited.Add(i.Node)) _nodes.Add(i.Node); }
        foreach (var o in outputs)
        {
            if (o is null) throw new ArgumentNullException(nameof(outputs));
            Visit(o, "output");
        }
        var layers = new List<Layer>();
        foreach (var n in _nodes)
        {
            if (layers.Contains(n.Layer)) continue;
            if (layers.Any(l => l.Name == n.Layer.Name))
                throw new ArgumentException($"The layer name '{n.Layer.Name}' is used twice in model '{modelName}': layer names must be unique.");
            layers.Add(n.Layer);
        }
        Layers = layers;
    }

    /// <summary>The symbolic inputs, in order.</summary>
    public KerasTensor[] Inputs { get; }

    /// <summary>The symbolic outputs, in order.</summary>
    public KerasTensor[] Outputs { get; }

    /// <summary>The layer calls in topological order, input nodes first.</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Every layer of the graph in topological order, input layers first.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Checks real inputs against the symbolic inputs' shapes (batch dimension free).</summary>
    public void CheckInputs(Tensor[] inputs, string modelName)
    {
        if (inputs.Length != Inputs.Length)
            throw new ArgumentException($"Model '{modelName}' expects {Inputs.Length} input(s), got {inputs.Length}.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++)
            ShapeUtils.CheckCompatible(Inputs[i].Layer, Inputs[i].Shape, inputs[i].shape, skipFirst: true);
    }

    /// <summary>Runs the graph on real tensors; returns the outputs and their masks.</summary>
    public (Tensor[] outputs, Tensor?[] masks) Run(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var maskValues = new Dictionary<KerasTensor, Tensor?>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < Inputs.Length; i++)
        {
            var x = inputs[i];
            var want = Inputs[i].DType;
            if (x.dtype != want && want.IsFloat() && x.dtype != ScalarType.Bool) x = x.to(want);
            values[Inputs[i]] = x;
            maskValues[Inputs[i]] = masks?[i];
        }
        foreach (var node in _nodes)
        {
            if (node.Layer is InputLayer) continue;
            var xs = new Tensor[node.Inputs.Length];
            Tensor?[]? ms = null;
            for (int i = 0; i < xs.Length; i++)
            {
                xs[i] = values[node.Inputs[i]];
                if (maskValues.TryGetValue(node.Inputs[i], out var m) && m is not null) (ms ??= new Tensor?[xs.Length])[i] = m;
            }
            var (outs, outMasks) = node.Layer.Invoke(xs, training, ms);
            if (outs.Length != node.Outputs.Length)
                throw new InvalidOperationException($"Layer '{node.Layer.Name}' returned {outs.Length} outputs, expected {node.Outputs.Length}.");
            for (int j = 0; j < outs.Length; j++)
            {
                values[node.Outputs[j]] = outs[j];
                maskValues[node.Outputs[j]] = outMasks[j];
            }
        }
        return (Outputs.Select(o => values[o]).ToArray(), Outputs.Select(o => maskValues.GetValueOrDefault(o)).ToArray());
    }
}
