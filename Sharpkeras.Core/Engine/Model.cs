using Sharpkeras.Engine;
using Sharpkeras.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A model: layers plus training (Keras's <c>keras.Model</c>). Three ways to make one:
/// the Functional API (<c>new Model(inputs, outputs)</c> from <c>Keras.Input</c>),
/// <c>Sequential</c>, or subclassing (override <see cref="Layer.Call(Tensor, bool)"/>; layers held in
/// fields are tracked automatically). The model is the API facade: a Functional graph (<see cref="FunctionalGraph"/>)
/// or a subclass's <c>Call</c> computes the outputs, <c>Compile</c> makes the <see cref="CompileLoss"/> and
/// <see cref="CompileMetrics"/>, and <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> hand the loops to a short-lived
/// <see cref="Trainer"/> that takes its batches from an <see cref="EpochIterator"/>.
/// </summary>
public partial class Model : Layer
{
    private readonly FunctionalGraph? _graph;

    /// <summary>Creates a Functional model with one input and one output.</summary>
    /// <param name="inputs">The symbolic input made by <c>Keras.Input</c>.</param>
    /// <param name="outputs">The symbolic output computed from it.</param>
    /// <param name="name">The model's name (default "functional_N").</param>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null)
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], [outputs ?? throw new ArgumentNullException(nameof(outputs))], name) { }

    /// <summary>Creates a Functional model with one input and several outputs (Keras's <c>Model(inputs=x, outputs=[a, b])</c>).</summary>
    /// <param name="inputs">The symbolic input made by <c>Keras.Input</c>.</param>
    /// <param name="outputs">The symbolic outputs, in the order the model returns them.</param>
    /// <param name="name">The model's name (default "functional_N").</param>
    public Model(KerasTensor inputs, KerasTensor[] outputs, string? name = null)
        : this([inputs ?? throw new ArgumentNullException(nameof(inputs))], outputs, name) { }

    /// <summary>Creates a Functional model with several inputs and one output (Keras's <c>Model(inputs=[a, b], outputs=y)</c>).</summary>
    /// <param name="inputs">The symbolic inputs made by <c>Keras.Input</c>, in the order <c>Fit</c>/<c>Predict</c> take them.</param>
    /// <param name="outputs">The symbolic output.</param>
    /// <param name="name">The model's name (default "functional_N").</param>
    public Model(KerasTensor[] inputs, KerasTensor outputs, string? name = null)
        : this(inputs, [outputs ?? throw new ArgumentNullException(nameof(outputs))], name) { }

    /// <summary>Creates a Functional model with several inputs and/or outputs.</summary>
    /// <param name="inputs">The symbolic inputs made by <c>Keras.Input</c>, in the order <c>Fit</c>/<c>Predict</c> take them.</param>
    /// <param name="outputs">The symbolic outputs, in the order the model returns them.</param>
    /// <param name="name">The model's name (default "functional_N").</param>
    public Model(KerasTensor[] inputs, KerasTensor[] outputs, string? name = null)
        : base(name ?? NameScope.Unique("functional"))
    {
        _graph = new FunctionalGraph(inputs, outputs, Name);
        foreach (var l in _graph.Layers) TrackLayer(l);
        AcceptsIntegerInput = true;
        SupportsMasking = true;
        Built = true;
        if (inputs.Length == 1) SetInputShape(inputs[0].Shape);
        OutputShape = outputs[0].Shape;
    }

    /// <summary>Constructor for subclassed models and <c>Sequential</c>.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="trainable">Whether training updates its weights.</param>
    /// <param name="inputShape">Optional input shape, batch dimension excluded.</param>
    protected Model(string? name = null, bool trainable = true, int?[]? inputShape = null)
        : base(name, trainable, inputShape)
    {
        AcceptsIntegerInput = true;
    }

    /// <summary>The graph this model runs through: the Functional graph, a built Sequential's, or null for a subclassed model.</summary>
    internal virtual FunctionalGraph? Graph => _graph;

    /// <summary>Whether this is a Functional model (built from Keras.Input).</summary>
    public bool IsFunctional => _graph != null;

    /// <summary>The symbolic inputs of a Functional model (or a built Sequential), else empty.</summary>
    public virtual IReadOnlyList<KerasTensor> Inputs => Graph?.Inputs ?? [];

    /// <summary>The symbolic outputs of a Functional model (or a built Sequential), else empty.</summary>
    public virtual IReadOnlyList<KerasTensor> Outputs => Graph?.Outputs ?? [];

    /// <summary>
    /// The model's layers: for a Functional model in graph order including its InputLayer(s); for a
    /// Sequential the added layers; for a subclassed model the layers it holds.
    /// </summary>
    public virtual IReadOnlyList<Layer> Layers => _graph?.Layers ?? SubLayers;

    /// <summary>Returns the layer with this name.</summary>
    /// <param name="name">The layer's name.</param>
    public Layer GetLayer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Layers.FirstOrDefault(l => l.Name == name)
               ?? throw new ArgumentException($"No layer named '{name}' in model '{Name}'. Layers: {string.Join(", ", Layers.Select(l => l.Name))}.", nameof(name));
    }

    /// <summary>Returns the layer at this index of <see cref="Layers"/>.</summary>
    /// <param name="index">Position in <see cref="Layers"/>.</param>
    public Layer GetLayer(int index)
    {
        if (index < 0 || index >= Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Model '{Name}' has {Layers.Count} layers.");
        return Layers[index];
    }

    /// <summary>Number of model inputs (1 unless Functional with several).</summary>
    public virtual int InputCount => _graph?.Inputs.Length ?? 1;

    /// <summary>Number of model outputs.</summary>
    public virtual int OutputCount => _graph?.Outputs.Length ?? 1;

    /// <summary>The output layer names, used to prefix per-output losses and metrics.</summary>
    internal virtual IReadOnlyList<string> OutputNames =>
        _graph?.Outputs.Select(o => o.Layer.Name).ToList() ?? [Name];

    internal void SetInputShape(int?[] shape) => _declaredBuildShape = shape;

    private int?[]? _declaredBuildShape;

    /// <summary>Set when a Functional/Sequential model's input shape is known.</summary>
    internal int?[]? BuildInputShape => _declaredBuildShape;

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs) => _graph?.CheckInputs(inputs, Name);

    /// <summary>
    /// A Functional or Sequential model passes floating-point inputs on in its variable type (Keras's Functional does not
    /// convert its inputs; each layer casts to its own compute type); a subclassed model casts them to its compute type.
    /// </summary>
    public override ScalarType InputDType => Graph != null ? DType : ComputeDType;

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (Graph == null)
            throw new NotImplementedException($"Model '{Name}' ({GetType().Name}) is a subclassed model: override Call(Tensor, bool).");
        return CallMulti([inputs], training, null)[0];
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) =>
        Graph == null ? base.Call(inputs, training) : CallMulti(inputs, training, null)[0];

    /// <inheritdoc />
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks) =>
        Graph is { } g ? g.Run(inputs, training, masks).outputs : base.CallMulti(inputs, training, masks);

    /// <inheritdoc />
    protected internal override (Tensor[] outputs, Tensor?[] masks) CallWithMasks(Tensor[] inputs, bool training, Tensor?[]? masks) =>
        Graph is { } g ? g.Run(inputs, training, masks) : base.CallWithMasks(inputs, training, masks);

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        if (Graph is { } g) return g.Outputs.Select(o => (o.Shape, o.DType)).ToArray();
        return base.ComputeOutputShapes(inputShapes, inputTypes);
    }

    /// <summary>
    /// Runs the model on real inputs as a train/test/predict step does (Keras's <c>model(x, training=...)</c>): puts
    /// the module tree in train() or eval() mode to match <paramref name="training"/>, builds a subclassed model on
    /// first use, and attaches each output's mask to it (read by losses and metrics with <see cref="Layer.GetMask"/>).
    /// </summary>
    /// <param name="x">The inputs, on the model's device.</param>
    /// <param name="training">Whether this pass is part of training (dropout, batch statistics).</param>
    protected internal Tensor[] Forward(Tensor[] x, bool training)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (this.training != training) train(training);
        var (outs, masks) = Invoke(x, training, null);
        for (int i = 0; i < outs.Length; i++) SetMask(outs[i], masks.ElementAtOrDefault(i));
        return outs;
    }

    // ------------------------------------------------------------------------------- device

    /// <summary>
    /// Moves the model's weights to <paramref name="device"/> (Keras's device scope; torch's <c>.to</c>).
    /// Batches then move to this device. An optimizer that already has state is rebuilt for the moved weights.
    /// </summary>
    /// <param name="device">The target device.</param>
    public Model To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        this.to(device);
        if (Optimizer is { Built: true } opt) opt.Build(TrainableWeights);
        return this;
    }

    /// <summary>The device of the model's weights (the configured default before it has any).</summary>
    public Device Device => CurrentDevice ?? Keras.Config.Device;
}
