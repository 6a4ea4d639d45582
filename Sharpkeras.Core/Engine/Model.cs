using Sharpkeras.Engine;
using Sharpkeras.Layers;
using Sharpkeras.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A model: layers plus training (Keras's <c>keras.Model</c>). Three ways to make one:
/// the Functional API (<c>new Model(inputs, outputs)</c> from <c>Keras.Input</c>),
/// <c>Sequential</c>, or subclassing (override <see cref="Layer.Call(Tensor, bool)"/>; layers held in
/// fields are tracked automatically). Training lives in the <see cref="Trainer"/>; this class exposes it
/// with Keras's names: <c>Compile</c>, <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c>, …
/// </summary>
public partial class Model : Layer
{
    private readonly KerasTensor[]? _inputs;
    private readonly KerasTensor[]? _outputs;
    private readonly List<Node>? _nodes;
    private readonly List<Layer>? _functionalLayers;

    /// <summary>Creates a Functional model with one input and one output.</summary>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null)
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], [outputs ?? throw new ArgumentNullException(nameof(outputs))], name) { }

    /// <summary>Creates a Functional model with several inputs and/or outputs.</summary>
    public Model(KerasTensor[] inputs, KerasTensor[] outputs, string? name = null)
        : base(name ?? NameScope.Unique("functional"))
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
        _inputs = inputs;
        _outputs = outputs;
        _nodes = new List<Node>();
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
        _functionalLayers = new List<Layer>();
        foreach (var n in _nodes)
        {
            if (_functionalLayers.Contains(n.Layer)) continue;
            if (_functionalLayers.Any(l => l.Name == n.Layer.Name))
                throw new ArgumentException($"The layer name '{n.Layer.Name}' is used twice in model '{Name}': layer names must be unique.");
            _functionalLayers.Add(n.Layer);
            TrackLayer(n.Layer);
        }
        AcceptsIntegerInput = true;
        SupportsMasking = true;
        Built = true;
        if (inputs.Length == 1) SetInputShape(inputs[0].Shape);
        OutputShape = outputs[0].Shape;
    }

    /// <summary>Constructor for subclassed models and <c>Sequential</c>.</summary>
    protected Model(string? name = null, bool trainable = true, int?[]? inputShape = null)
        : base(name, trainable, inputShape)
    {
        AcceptsIntegerInput = true;
    }

    /// <summary>Whether this is a Functional model (built from Keras.Input).</summary>
    public bool IsFunctional => _nodes != null;

    /// <summary>The symbolic inputs of a Functional model (or a built Sequential), else empty.</summary>
    public virtual IReadOnlyList<KerasTensor> Inputs => _inputs ?? [];

    /// <summary>The symbolic outputs of a Functional model (or a built Sequential), else empty.</summary>
    public virtual IReadOnlyList<KerasTensor> Outputs => _outputs ?? [];

    /// <summary>
    /// The model's layers: for a Functional model in graph order including its InputLayer(s); for a
    /// Sequential the added layers; for a subclassed model the layers it holds.
    /// </summary>
    public virtual IReadOnlyList<Layer> Layers => _functionalLayers ?? SubLayers;

    /// <summary>Returns the layer with this name.</summary>
    public Layer GetLayer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Layers.FirstOrDefault(l => l.Name == name)
               ?? throw new ArgumentException($"No layer named '{name}' in model '{Name}'. Layers: {string.Join(", ", Layers.Select(l => l.Name))}.", nameof(name));
    }

    /// <summary>Returns the layer at this index of <see cref="Layers"/>.</summary>
    public Layer GetLayer(int index)
    {
        if (index < 0 || index >= Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Model '{Name}' has {Layers.Count} layers.");
        return Layers[index];
    }

    /// <summary>Number of model inputs (1 unless Functional with several).</summary>
    public virtual int InputCount => _inputs?.Length ?? 1;

    /// <summary>Number of model outputs.</summary>
    public virtual int OutputCount => _outputs?.Length ?? 1;

    /// <summary>The output layer names, used to prefix per-output losses and metrics.</summary>
    internal virtual IReadOnlyList<string> OutputNames =>
        _outputs?.Select(o => o.Layer.Name).ToList() ?? [Name];

    internal void SetInputShape(int?[] shape) => _declaredBuildShape = shape;

    private int?[]? _declaredBuildShape;

    /// <summary>Set when a Functional/Sequential model's input shape is known.</summary>
    internal int?[]? BuildInputShape => _declaredBuildShape;

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (_inputs == null) return;
        if (inputs.Length != _inputs.Length)
            throw new ArgumentException($"Model '{Name}' expects {_inputs.Length} input(s), got {inputs.Length}.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++)
            ShapeUtils.CheckCompatible(_inputs[i].Layer, _inputs[i].Shape, inputs[i].shape, skipFirst: true);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (_nodes == null)
            throw new NotImplementedException($"Model '{Name}' ({GetType().Name}) is a subclassed model: override Call(Tensor, bool).");
        return CallMulti([inputs], training, null)[0];
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) =>
        _nodes == null ? base.Call(inputs, training) : CallMulti(inputs, training, null)[0];

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        if (_nodes == null) return base.CallMulti(inputs, training, masks);
        var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
        var maskValues = new Dictionary<KerasTensor, Tensor?>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _inputs!.Length; i++)
        {
            var x = inputs[i];
            var want = _inputs[i].DType;
            if (x.dtype != want && want.IsFloat() && x.dtype != ScalarType.Bool) x = x.to(want);
            values[_inputs[i]] = x;
            maskValues[_inputs[i]] = masks?[i];
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
        return _outputs!.Select(o => values[o]).ToArray();
    }

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        if (_outputs != null) return _outputs.Select(o => (o.Shape, o.DType)).ToArray();
        return base.ComputeOutputShapes(inputShapes, inputTypes);
    }

    /// <summary>Runs the model on real inputs (builds a subclassed model on first use).</summary>
    internal Tensor[] Forward(Tensor[] x, bool training)
    {
        // Activity losses belong to one forward pass: drop any left from an earlier pass (e.g. Predict).
        _ = DrainActivityLosses();
        return Invoke(x, training, null).outputs;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        return c;
    }

    // ------------------------------------------------------------------------------- device

    /// <summary>
    /// Moves the model's weights to <paramref name="device"/> (Keras's device scope; torch's <c>.to</c>).
    /// The trainer then moves each batch to this device. Call before training: an optimizer that already
    /// has state is rebuilt for the moved weights.
    /// </summary>
    public Model To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        this.to(device);
        TrainerOrNull?.OnModelMoved();
        return this;
    }

    /// <summary>The device of the model's weights (the configured default before it has any).</summary>
    public Device Device => CurrentDevice ?? Keras.Config.Device;
}
