using Sharpkeras.Engine;
using Sharpkeras.Layers;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A plain stack of layers, each with one input and one output (Keras's <c>keras.Sequential</c>).
/// Give the first layer an <c>inputShape</c> (or add a <see cref="InputLayer"/>) to build it at once, so
/// <c>Summary</c> works before training; otherwise it builds on the first data it sees.
/// </summary>
public class Sequential : Model
{
    private readonly List<Layer> _stack = new();
    private InputLayer? _inputLayer;
    private KerasTensor? _output;
    private FunctionalGraph? _graph;
    private bool _builtFromData;
    private bool _warnedShape;

    /// <summary>Creates a Sequential model from layers.</summary>
    /// <param name="layers">The layers, first to last; give the first one an <c>inputShape</c> (or start with <c>Keras.Input</c>'s layer) to build the model at once.</param>
    public Sequential(params Layer[] layers) : this(layers, null) { }

    /// <summary>Creates a Sequential model from layers, with a name.</summary>
    /// <param name="layers">The layers, first to last.</param>
    /// <param name="name">The model's name (default: an automatic <c>sequential</c> name).</param>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var l in layers) Add(l);
    }

    /// <summary>Creates an empty Sequential model.</summary>
    /// <param name="name">The model's name; add layers with <see cref="Add"/>.</param>
    public Sequential(string? name) : base(name) { }

    /// <summary>The graph of the built stack (input layer → last layer), rebuilt after Add/Pop; null before the input shape is known.</summary>
    internal override FunctionalGraph? Graph
    {
        get
        {
            if (_inputLayer == null || _output == null || _stack.Count == 0) return null;
            if (_graph == null || !ReferenceEquals(_graph.Outputs[0], _output))
                _graph = new FunctionalGraph([_inputLayer.Output], [_output], Name);
            return _graph;
        }
    }

    /// <summary>The layers, in order (without the input layer).</summary>
    public override IReadOnlyList<Layer> Layers => _stack;

    /// <inheritdoc />
    public override IReadOnlyList<KerasTensor> Inputs => _inputLayer is null ? [] : [_inputLayer.Output];

    /// <inheritdoc />
    public override IReadOnlyList<KerasTensor> Outputs => _output is null ? [] : [_output];

    /// <summary>Adds a layer on top of the stack. With a known input shape, the layer is checked and built now.</summary>
    /// <param name="layer">The layer to stack on top.</param>
    /// <exception cref="System.ArgumentException">The layer is already in the model, its name is taken, it is an InputLayer that is not first, it has several outputs, or it does not accept the current output shape.</exception>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is InputLayer il)
        {
            if (_stack.Count > 0 || _inputLayer != null)
                throw new ArgumentException("An InputLayer can only be the first layer of a Sequential model.", nameof(layer));
            _inputLayer = il;
            _output = il.Output;
            SetInputShape(il.BatchShape);
            Built = true;
            InputShapeSet(il.BatchShape);
            return;
        }
        if (_stack.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in model '{Name}'.", nameof(layer));
        if (_stack.Any(l => l.Name == layer.Name))
            throw new ArgumentException($"Model '{Name}' already has a layer named '{layer.Name}': layer names must be unique.", nameof(layer));
        if (_stack.Count == 0 && _inputLayer == null && layer.DeclaredInputShape != null)
        {
            _inputLayer = new InputLayer(layer.DeclaredInputShape);
            _output = _inputLayer.Output;
        }
        if (_output != null)
        {
            try
            {
                var o = layer.ApplyMulti(_output);
                if (o.Length != 1)
                    throw new ArgumentException($"Layer '{layer.Name}' has {o.Length} outputs; Sequential layers must have exactly one.", nameof(layer));
                _output = o[0];
            }
            catch
            {
                if (_stack.Count == 0 && layer.DeclaredInputShape != null) { _inputLayer = null; _output = null; }
                throw;
            }
            Built = true;
            InputShapeSet(_inputLayer!.BatchShape);
            OutputShape = _output.Shape;
        }
        _stack.Add(layer);
        TrackLayer(layer);
    }

    private bool _explicitBuild;

    private void InputShapeSet(int?[] batchShape) => SetInputShape(batchShape);

    /// <summary>Removes the last layer.</summary>
    public void Pop()
    {
        if (_stack.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers to remove.");
        var last = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        _internal_submodules.Remove(last.Name);
        UntrackLayer(last);
        _output = _stack.Count == 0 ? _inputLayer?.Output : _stack[^1].InboundNodes.LastOrDefault()?.Outputs[0];
        OutputShape = _output?.Shape;
    }

    /// <summary>Builds the model for an input shape (batch dimension first, as null).</summary>
    /// <param name="inputShape">The input shape, batch dimension first (null when unknown), e.g. <c>(null, 28, 28, 1)</c>.</param>
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (_inputLayer != null) return;
        if (inputShape.Length == 0) throw new ArgumentException("inputShape must include the batch dimension.", nameof(inputShape));
        // Built from the first batch it saw (not from a declared shape): later batches may differ in their
        // free dimensions (e.g. timesteps), which Keras accepts with a warning.
        _builtFromData = !_explicitBuild;
        _inputLayer = new InputLayer(inputShape[1..]);
        var t = _inputLayer.Output;
        foreach (var l in _stack)
        {
            var o = l.ApplyMulti(t);
            if (o.Length != 1) throw new InvalidOperationException($"Layer '{l.Name}' has {o.Length} outputs; Sequential layers must have exactly one.");
            t = o[0];
        }
        _output = t;
        SetInputShape(_inputLayer.BatchShape);
        OutputShape = t.Shape;
    }

    /// <summary>Builds the model for an input shape given without the batch dimension.</summary>
    /// <param name="inputShapeWithoutBatch">The per-sample shape, e.g. <c>[28, 28, 1]</c>.</param>
    public void Build(int[] inputShapeWithoutBatch)
    {
        ArgumentNullException.ThrowIfNull(inputShapeWithoutBatch);
        _explicitBuild = true;
        try { Build(ShapeUtils.WithBatch(inputShapeWithoutBatch.Select(d => (int?)d).ToArray())); }
        finally { _explicitBuild = false; }
        Built = true;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs.Length != 1) throw new ArgumentException($"Sequential model '{Name}' takes 1 input, got {inputs.Length}.", nameof(inputs));
        if (_stack.Count == 0) throw new InvalidOperationException($"Sequential model '{Name}' has no layers.");
        if (_inputLayer == null) return;
        var layer = _stack.FirstOrDefault() ?? (Layer)this;
        if (!_builtFromData)
        {
            ShapeUtils.CheckCompatible(layer, _inputLayer.BatchShape, inputs[0].shape, skipFirst: true);
            return;
        }
        // Built lazily from a first batch: its shape is a guess, so a batch of another shape runs (each layer
        // still checks what it needs) after one warning, as in Keras.
        try { ShapeUtils.CheckCompatible(layer, _inputLayer.BatchShape, inputs[0].shape, skipFirst: true); }
        catch (ArgumentException) when (inputs[0].dim() == _inputLayer.BatchShape.Length)
        {
            if (_warnedShape) return;
            _warnedShape = true;
            Console.Error.WriteLine(
                $"WARNING: Sequential model '{Name}' was built from a first batch of shape {ShapeUtils.Format(_inputLayer.BatchShape)} " +
                $"but is called on an input of shape ({string.Join(", ", inputs[0].shape)}); running it anyway.");
        }
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => CallMulti([inputs], training, null)[0];

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks) => CallWithMasks(inputs, training, masks).outputs;

    /// <inheritdoc />
    protected internal override (Tensor[] outputs, Tensor?[] masks) CallWithMasks(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        if (_stack.Count == 0) throw new InvalidOperationException($"Sequential model '{Name}' has no layers.");
        // The stack runs layer by layer (the same order as its graph), so inputs whose free dimensions differ from
        // the first batch's still run.
        var x = inputs[0];
        Tensor? mask = masks?[0];
        foreach (var l in _stack)
        {
            var (outs, outMasks) = CallLayer(l, [x], training, mask is null ? null : [mask]);
            x = outs[0];
            mask = outMasks[0];
        }
        return ([x], [mask]);
    }

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        if (_output != null) return [(_output.Shape, _output.DType)];
        return base.ComputeOutputShapes(inputShapes, inputTypes);
    }

    /// <inheritdoc />
    internal override IReadOnlyList<string> OutputNames => _stack.Count > 0 ? [_stack[^1].Name] : [Name];
}
