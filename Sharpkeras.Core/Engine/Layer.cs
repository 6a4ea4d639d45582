using System.Reflection;
using System.Runtime.CompilerServices;
using Sharpkeras.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// The base class of every layer (Keras's <c>keras.layers.Layer</c>). A layer is a real TorchSharp
/// module (<c>parameters()</c>, <c>state_dict()</c>, <c>to(device)</c> work), owns its weights
/// (<see cref="AddWeight"/>), builds itself lazily from the first input shape (<see cref="Build(int?[])"/>),
/// and computes its output in <see cref="Call(Tensor, bool)"/>.
/// </summary>
/// <remarks>
/// Override points: <see cref="Build(int?[])"/>, <see cref="Call(Tensor, bool)"/>,
/// <see cref="ComputeOutputShape(int?[])"/>, <see cref="GetConfig"/>; layers that take a mask override
/// <see cref="Call(Tensor, bool, Tensor?)"/>, layers with several inputs override
/// <see cref="Call(Tensor[], bool)"/> and <see cref="ComputeOutputShapes"/>, layers with several
/// outputs override <see cref="CallMulti"/>.
/// </remarks>
public abstract class Layer : nn.Module<Tensor, Tensor>
{
    private readonly List<KerasVariable> _variables = new();
    private readonly List<Layer> _subLayers = new();
    private readonly List<Tensor> _losses = new();
    private bool _trainable = true;
    private bool _subLayersTracked;
    private static readonly ConditionalWeakTable<Tensor, Tensor> Masks = new();

    /// <summary>Creates a layer.</summary>
    /// <param name="name">Unique name; by default the snake-case class name with a counter ("dense_1"; an alias class such as MaxPool2D takes its canonical class's, "max_pooling2d").</param>
    /// <param name="trainable">Whether the layer's weights are updated by training.</param>
    /// <param name="inputShape">Optional input shape (batch dimension excluded), for the first layer of a Sequential.</param>
    /// <param name="dtype">The layer's dtype policy, or a policy name ("float32", "mixed_bfloat16", …) or element type,
    /// which convert implicitly (default the global policy, <see cref="Keras.Config.DTypePolicy()"/>).</param>
    protected Layer(string? name = null, bool trainable = true, int?[]? inputShape = null, DTypePolicy? dtype = null)
        : base("layer")
    {
        if (name != null && (name.Length == 0 || name.Contains('.') || name.Contains('/')))
            throw new ArgumentException($"Layer name must be non-empty and contain no '.' or '/'; got '{name}'.", nameof(name));
        this.name = name ?? NameScope.Unique(NameScope.ToSnakeCase(Saving.TypeCatalog.CanonicalName(GetType())));
        _trainable = trainable;
        if (inputShape != null)
        {
            if (inputShape.Any(d => d is <= 0))
                throw new ArgumentException($"Layer '{this.name}': inputShape dimensions must be positive or null; got {ShapeUtils.Format(inputShape)}.", nameof(inputShape));
            DeclaredInputShape = inputShape;
        }
        _dtypePolicy = dtype ?? Keras.Config.DTypePolicy();
    }

    private DTypePolicy _dtypePolicy;

    /// <summary>The layer's unique name.</summary>
    public string Name => name!;

    /// <summary>The element type of the layer's weights (Keras's <c>layer.dtype</c>, the policy's variable type).</summary>
    public ScalarType DType => _dtypePolicy.VariableDType;

    /// <summary>The element type of the layer's weights (Keras's <c>variable_dtype</c>; same as <see cref="DType"/>).</summary>
    public ScalarType VariableDType => _dtypePolicy.VariableDType;

    /// <summary>
    /// The element type the layer computes in (Keras's <c>compute_dtype</c>): its floating-point inputs are cast to it and,
    /// while it runs, its weights are read cast to it. Differs from <see cref="DType"/> under a mixed-precision policy.
    /// </summary>
    public ScalarType ComputeDType => _dtypePolicy.ComputeDType;

    /// <summary>
    /// The layer's dtype policy (Keras's <c>dtype_policy</c>). It can be replaced before the layer is built, or later
    /// when the new policy keeps the weights' type (e.g. "float32" ↔ "mixed_bfloat16").
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer has weights and the new policy stores weights in another type.</exception>
    public DTypePolicy DTypePolicy
    {
        get => _dtypePolicy;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_variables.Count > 0 && value.VariableDType != _dtypePolicy.VariableDType)
                throw new InvalidOperationException(
                    $"Layer '{Name}' already has {DTypeName(DType)} weights; its dtype policy can change to one with {DTypeName(value.VariableDType)} weights ('{value.Name}') only before it is built.");
            _dtypePolicy = value;
        }
    }

    /// <summary>
    /// Whether the layer casts its floating-point inputs to <see cref="ComputeDType"/> and reads its weights cast to it
    /// (Keras's <c>autocast</c>, default true). Layers that handle types themselves (Embedding) turn it off.
    /// </summary>
    public bool Autocast { get; set; } = true;

    /// <summary>The element type floating-point inputs are cast to (Keras's <c>input_dtype</c>; default <see cref="ComputeDType"/>).</summary>
    public virtual ScalarType InputDType => ComputeDType;

    /// <summary>The input shape given at construction (batch dimension excluded), if any.</summary>
    public int?[]? DeclaredInputShape { get; }

    /// <summary>Whether <see cref="Build(int?[])"/> has run.</summary>
    public bool Built { get; protected set; }

    /// <summary>Whether this layer passes masks through unchanged (Keras's <c>supports_masking</c>).</summary>
    public bool SupportsMasking { get; protected set; }

    /// <summary>Whether integer inputs are kept as they are (e.g. Embedding); otherwise they are cast to <see cref="DType"/>.</summary>
    protected bool AcceptsIntegerInput { get; set; }

    /// <summary>The symbolic tensors this layer produced when applied in the Functional API (last call).</summary>
    internal List<Node> InboundNodes { get; } = new();

    /// <summary>The input shape(s) seen at build time, batch dimension included as null.</summary>
    public int?[]? InputShape { get; private set; }

    /// <summary>The output shape from the build-time input shape, batch dimension as null.</summary>
    public int?[]? OutputShape { get; protected internal set; }

    /// <summary>
    /// Whether training updates the weights. Setting false freezes every weight of this layer and its
    /// sub-layers (they move to <see cref="NonTrainableWeights"/>).
    /// </summary>
    public virtual bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            foreach (var v in _variables) ApplyTrainable(v);
            foreach (var l in _subLayers) l.Trainable = value;
        }
    }

    private void ApplyTrainable(KerasVariable v)
    {
        if (v.Raw is Parameter p)
        {
            bool t = _trainable && v.DeclaredTrainable;
            v.Trainable = t;
            p.requires_grad = t;
        }
    }

    // ----------------------------------------------------------------------------------- weights

    /// <summary>
    /// Creates a weight (Keras's <c>add_weight</c>). Trainable weights are module parameters, non-trainable
    /// ones are buffers; both are in <c>state_dict()</c>.
    /// </summary>
    /// <param name="name">Name inside the layer ("kernel").</param>
    /// <param name="shape">Shape in Keras's layout.</param>
    /// <param name="initializer">An initializer alias or object (default "glorot_uniform"; "zeros" for non-trainable).</param>
    /// <param name="regularizer">An optional regularizer (alias or object).</param>
    /// <param name="trainable">Whether the optimizer updates it.</param>
    /// <param name="constraint">An optional constraint.</param>
    /// <param name="kerasToTorchPermutation">Stored layout = Keras layout permuted by this (e.g. conv kernels).</param>
    /// <param name="dtype">Element type (default the layer's <see cref="VariableDType"/>).</param>
    /// <param name="autocast">Whether the weight is read cast to the layer's compute type while a mixed-precision layer runs
    /// (Keras's <c>autocast</c>). Turn it off for weights the layer updates in place during its call (moving statistics).</param>
    public KerasVariable AddWeight(string name, long[] shape, object? initializer = null, object? regularizer = null,
        bool trainable = true, object? constraint = null, int[]? kerasToTorchPermutation = null, ScalarType? dtype = null,
        bool autocast = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0))
            throw new ArgumentException($"Layer '{Name}': weight '{name}' has a negative dimension in ({string.Join(", ", shape)}).", nameof(shape));
        if (_variables.Any(v => v.Name == name))
            throw new InvalidOperationException($"Layer '{Name}' already has a weight named '{name}'.");
        Saving.LoadBudget.Charge(this, name, shape); // bounded while a model file is being loaded
        var init = Initializers.Initializer.Get(initializer ?? (trainable ? "glorot_uniform" : "zeros"));
        var reg = Regularizers.Regularizer.Get(regularizer);
        var con = Constraints.Constraint.Get(constraint);
        var v = new KerasVariable(this, name, shape, trainable, reg, con, kerasToTorchPermutation) { DeclaredTrainable = trainable, Autocast = autocast };
        var device = CurrentDevice ?? Keras.Config.Device;
        using (torch.no_grad())
        {
            var value = init.Call(shape, dtype ?? DType, torch.CPU);
            if (kerasToTorchPermutation != null) value = value.permute(kerasToTorchPermutation.Select(i => (long)i).ToArray());
            value = value.contiguous().to(device).DetachFromDisposeScope();
            if (trainable)
            {
                var p = new Parameter(value, requires_grad: _trainable);
                p.DetachFromDisposeScope();
                register_parameter(name, p);
                v.Value = p;
                v.Trainable = _trainable;
            }
            else
            {
                register_buffer(name, value);
                v.Value = value;
                v.Trainable = false;
            }
        }
        _variables.Add(v);
        Interlocked.Increment(ref StructureVersion);
        return v;
    }

    /// <summary>The device of this layer's weights, or null before any weight exists.</summary>
    internal Device? CurrentDevice => _variables.Count > 0 ? _variables[0].Raw.device
        : _subLayers.Select(l => l.CurrentDevice).FirstOrDefault(d => d != null) ?? _deviceOverride;

    private Device? _deviceOverride;

    /// <summary>This layer's own weights (not its sub-layers').</summary>
    public IReadOnlyList<KerasVariable> OwnVariables => _variables;

    /// <summary>The direct sub-layers tracked by this layer.</summary>
    public IReadOnlyList<Layer> SubLayers
    {
        get
        {
            EnsureSubLayersTracked();
            return _subLayers;
        }
    }

    /// <summary>All weights in Keras's order: own trainable, own non-trainable, then each sub-layer's.</summary>
    public IReadOnlyList<KerasVariable> Variables
    {
        get
        {
            // Cached: the list is read every training step (regularization), so it is rebuilt only after a
            // weight or sub-layer was added anywhere (StructureVersion).
            if (_variablesCache != null && _variablesCacheVersion == StructureVersion) return _variablesCache;
            var seen = new HashSet<KerasVariable>(ReferenceEqualityComparer.Instance);
            var list = new List<KerasVariable>();
            foreach (var v in _variables.Where(v => v.DeclaredTrainable).Concat(_variables.Where(v => !v.DeclaredTrainable)))
                if (seen.Add(v)) list.Add(v);
            foreach (var l in SubLayers)
                foreach (var v in l.Variables)
                    if (seen.Add(v)) list.Add(v);
            _variablesCache = list;
            _variablesCacheVersion = StructureVersion;
            return list;
        }
    }

    private List<KerasVariable>? _variablesCache;
    private int _variablesCacheVersion = -1;

    /// <summary>Incremented whenever any layer gains a weight or a sub-layer (invalidates cached weight lists).</summary>
    internal static int StructureVersion;

    /// <summary>The weights the optimizer updates.</summary>
    public IReadOnlyList<KerasVariable> TrainableWeights => Variables.Where(v => v.Trainable).ToList();

    /// <summary>The weights the optimizer does not update (moving statistics, frozen weights).</summary>
    public IReadOnlyList<KerasVariable> NonTrainableWeights => Variables.Where(v => !v.Trainable).ToList();

    /// <summary>The weights' values in Keras's order and layout (copies on the CPU).</summary>
    public List<Tensor> GetWeights() => Variables.Select(v => v.ToKerasLayout()).ToList();

    /// <summary>Sets the weights from values in Keras's order and layout (Dense: kernel then bias).</summary>
    /// <param name="weights">One value per weight, in the order of <c>GetWeights</c>, each in Keras's shape. The caller keeps ownership.</param>
    /// <exception cref="System.ArgumentException">The count or a shape does not match the layer's weights.</exception>
    public void SetWeights(IEnumerable<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var vars = Variables;
        var list = weights.ToList();
        if (list.Count != vars.Count)
            throw new ArgumentException($"Layer '{Name}' expects {vars.Count} weights, got {list.Count}.", nameof(weights));
        for (int i = 0; i < vars.Count; i++)
            if (!list[i].shape.SequenceEqual(vars[i].KerasShape))
                throw new ArgumentException(
                    $"Layer '{Name}': weight {i} ('{vars[i].Path}') expects shape ({string.Join(", ", vars[i].KerasShape)}), got ({string.Join(", ", list[i].shape)}).",
                    nameof(weights));
        for (int i = 0; i < vars.Count; i++) vars[i].Assign(list[i]);
    }

    /// <summary>The number of scalars in all weights (Keras's <c>count_params</c>).</summary>
    public long CountParams()
    {
        if (!Built && Variables.Count == 0)
            throw new InvalidOperationException($"Layer '{Name}' is not built yet, so its weights do not exist: call it on an input or give it an inputShape first.");
        return Variables.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));
    }

    /// <summary>Registers a sub-layer so its weights belong to this layer (done automatically for fields of type Layer).</summary>
    /// <param name="layer">The sub-layer.</param>
    /// <returns><paramref name="layer"/>, so a field can be assigned in one line.</returns>
    protected internal T TrackLayer<T>(T layer) where T : Layer
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_subLayers.Contains(layer)) return layer;
        if (_subLayers.Any(l => l.Name == layer.Name))
            throw new ArgumentException($"'{Name}' already has a layer named '{layer.Name}': layer names must be unique within a model.", nameof(layer));
        _subLayers.Add(layer);
        register_module(layer.Name, layer);
        Interlocked.Increment(ref StructureVersion);
        return layer;
    }

    /// <summary>Stops tracking a sub-layer (Sequential.Pop).</summary>
    internal void UntrackLayer(Layer layer)
    {
        _subLayers.Remove(layer);
        Interlocked.Increment(ref StructureVersion);
    }

    private void EnsureSubLayersTracked()
    {
        if (_subLayersTracked) return;
        _subLayersTracked = true;
        for (var t = GetType(); t != null && t != typeof(Layer); t = t.BaseType)
        {
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var val = f.GetValue(this);
                if (val is Layer l && !ReferenceEquals(l, this)) TrackLayer(l);
                else if (val is IEnumerable<Layer> ls && val is not Layer)
                    foreach (var x in ls) if (x != null && !ReferenceEquals(x, this)) TrackLayer(x);
            }
        }
    }

    /// <inheritdoc />
    protected override void RegisterComponents()
    {
        // Sharpkeras registers weights and sub-layers explicitly; TorchSharp's reflection-based registration is not used.
    }

    // ----------------------------------------------------------------------------------- build

    /// <summary>Creates the layer's weights for <paramref name="inputShape"/> (batch dimension first, as null).</summary>
    /// <param name="inputShape">The full input shape, batch dimension first (null when unknown), e.g. <c>(null, 784)</c>.</param>
    public virtual void Build(int?[] inputShape) { }

    /// <summary>Builds a layer that takes several inputs. The default handles one input.</summary>
    /// <param name="inputShapes">One shape per input, each batch first (null for unknown dimensions).</param>
    public virtual void Build(int?[][] inputShapes)
    {
        if (inputShapes.Length == 1) Build(inputShapes[0]);
    }

    /// <summary>
    /// Builds the layer for these input shapes unless it is built already (what the framework does before the first
    /// call); a failed build leaves no weights behind. Wrapper layers use it to build the layers they wrap.
    /// </summary>
    /// <param name="inputShapes">One shape per input, batch dimension first (as null).</param>
    public void EnsureBuilt(int?[][] inputShapes)
    {
        if (Built) return;
        EnsureSubLayersTracked();
        try
        {
            if (inputShapes.Length == 1) Build(inputShapes[0]);
            else Build(inputShapes);
        }
        catch
        {
            RemoveWeightsAfterFailedBuild();
            throw;
        }
        InputShape = inputShapes.Length == 1 ? inputShapes[0] : null;
        Built = true;
    }

    private void RemoveWeightsAfterFailedBuild()
    {
        // A failed build leaves the layer as it was: no half-created weights.
        foreach (var v in _variables)
        {
            if (v.Value is Parameter) _internal_params.Remove(v.Name);
            else _internal_buffers.Remove(v.Name);
        }
        _variables.Clear();
        Interlocked.Increment(ref StructureVersion);
    }

    // ----------------------------------------------------------------------------------- call

    /// <summary>The layer's computation on one input (the main override point).</summary>
    /// <param name="inputs">The input batch, already checked and on the layer's device. Do not dispose it.</param>
    /// <param name="training">True in <c>Fit</c> and <c>TrainOnBatch</c>; false in <c>Evaluate</c>, <c>Predict</c> and by default in <see cref="Apply(Tensor, bool)"/>.</param>
    /// <returns>The output batch.</returns>
    public virtual Tensor Call(Tensor inputs, bool training)
        => throw new NotImplementedException($"Layer '{Name}' ({GetType().Name}) does not implement Call for a single input.");

    /// <summary>The computation with the input's mask (for layers that use masks, e.g. LSTM). Default ignores the mask.</summary>
    /// <param name="inputs">The input batch. Do not dispose it.</param>
    /// <param name="training">True during training, false for inference.</param>
    /// <param name="mask">The input's mask (e.g. (batch, timesteps) bool from <c>Embedding(maskZero: true)</c> or <c>Masking</c>), or null when it has none.</param>
    /// <returns>The output batch.</returns>
    public virtual Tensor Call(Tensor inputs, bool training, Tensor? mask) => Call(inputs, training);

    /// <summary>The computation on several inputs (merging layers, attention). Default handles one input.</summary>
    /// <param name="inputs">The input batches, in the order the layer expects. Do not dispose them.</param>
    /// <param name="training">True during training, false for inference.</param>
    /// <returns>The output batch.</returns>
    public virtual Tensor Call(Tensor[] inputs, bool training)
    {
        if (inputs.Length != 1)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes 1 input, got {inputs.Length}.", nameof(inputs));
        return Call(inputs[0], training);
    }

    /// <summary>The general computation: several inputs with masks, several outputs (e.g. LSTM with returnState).</summary>
    /// <param name="inputs">The input batches, in the order the layer expects. Do not dispose them.</param>
    /// <param name="training">True during training, false for inference.</param>
    /// <param name="masks">One mask (or null) per input, or null when no input has a mask.</param>
    /// <returns>One tensor per output.</returns>
    public virtual Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
        => inputs.Length == 1 ? [Call(inputs[0], training, masks?[0])] : [Call(inputs, training)];

    /// <summary>The output mask for one input (default: passed through if <see cref="SupportsMasking"/>, else none).</summary>
    /// <param name="inputs">The layer's input batch.</param>
    /// <param name="mask">The input's mask, or null.</param>
    /// <returns>The mask to attach to the output, or null for none.</returns>
    public virtual Tensor? ComputeMask(Tensor inputs, Tensor? mask) => SupportsMasking ? mask : null;

    /// <summary>The output masks for several inputs/outputs.</summary>
    /// <param name="inputs">The layer's input batches.</param>
    /// <param name="masks">One mask (or null) per input, or null when none has one.</param>
    /// <param name="outputCount">How many outputs the call produced.</param>
    /// <returns>One mask (or null) per output.</returns>
    public virtual Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        if (inputs.Length == 1)
        {
            var m = ComputeMask(inputs[0], masks?[0]);
            var r = new Tensor?[outputCount];
            r[0] = m;
            return r;
        }
        return new Tensor?[outputCount];
    }

    /// <summary>
    /// Runs the layer on real tensors: builds it on first use (from the input's shape), checks the input,
    /// and calls <see cref="Call(Tensor, bool)"/>. Masks attached by earlier layers flow through.
    /// </summary>
    /// <param name="x">The input batch (batch first). Not disposed: the caller keeps ownership.</param>
    /// <param name="training">True for training behaviour (dropout active, batch statistics in BatchNormalization), false for inference (the default, as Keras's <c>layer(x)</c> outside <c>fit</c>).</param>
    /// <returns>The output batch, a new tensor the caller owns.</returns>
    public Tensor Apply(Tensor x, bool training = false) => ApplyMulti([x], training)[0];

    /// <summary>Runs a layer that takes several inputs on real tensors.</summary>
    /// <param name="inputs">The input batches, in the order the layer expects. Not disposed.</param>
    /// <param name="training">True for training behaviour, false for inference (default).</param>
    /// <returns>The first output.</returns>
    public Tensor Apply(Tensor[] inputs, bool training = false) => ApplyMulti(inputs, training)[0];

    /// <summary>Runs the layer on real tensors and returns every output.</summary>
    /// <param name="inputs">The input batches, in the order the layer expects. Not disposed.</param>
    /// <param name="training">True for training behaviour, false for inference (default).</param>
    /// <returns>Every output, new tensors the caller owns.</returns>
    public Tensor[] ApplyMulti(Tensor[] inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException($"Layer '{Name}' was called with no inputs.", nameof(inputs));
        var masks = new Tensor?[inputs.Length];
        bool any = false;
        for (int i = 0; i < inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"{nameof(inputs)}[{i}]");
            if (Masks.TryGetValue(inputs[i], out var m)) { masks[i] = m; any = true; }
        }
        var (outs, outMasks) = Invoke(inputs, training, any ? masks : null);
        for (int i = 0; i < outs.Length; i++)
            if (outMasks[i] is Tensor om) Masks.AddOrUpdate(outs[i], om);
        return outs;
    }

    /// <summary>The mask attached to a tensor by the layer that produced it, if any.</summary>
    /// <param name="t">A tensor produced by a layer.</param>
    public static Tensor? GetMask(Tensor t) => Masks.TryGetValue(t, out var m) ? m : null;

    /// <summary>Attaches a mask to a tensor (what Keras keeps as <c>_keras_mask</c>).</summary>
    /// <param name="t">The tensor to attach the mask to (it is held weakly: the mask goes away with the tensor).</param>
    /// <param name="mask">The mask, or null to remove one.</param>
    public static void SetMask(Tensor t, Tensor? mask)
    {
        if (mask is null) Masks.Remove(t);
        else Masks.AddOrUpdate(t, mask);
    }

    /// <summary>The one place a layer runs: build, input checks and casts, call, masks, activity losses.</summary>
    internal (Tensor[] outputs, Tensor?[] masks) Invoke(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        if (!Built)
        {
            var shapes = inputs.Select(t => ShapeUtils.WithNullBatch(t.shape)).ToArray();
            if (DeclaredInputShape != null && inputs.Length == 1)
                ShapeUtils.CheckCompatible(this, DeclaredInputShape, inputs[0].shape);
            EnsureBuilt(shapes);
            if (OutputShape == null && inputs.Length == 1 && this is not Model)
            {
                try { OutputShape = ComputeOutputShape(shapes[0]); } catch (NotImplementedException) { }
            }
        }
        var cast = new Tensor[inputs.Length];
        var inputType = InputDType;
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            // Keras's convert_input: floating-point inputs go to the compute type (when autocasting); integer inputs
            // become floats unless the layer takes them as they are.
            if (t.dtype != inputType && t.dtype != ScalarType.Bool && (t.dtype.IsFloat() ? Autocast : !AcceptsIntegerInput))
                t = t.to(inputType);
            cast[i] = t;
        }
        ValidateInputs(cast);
        // A top-level call starts a fresh forward pass: the losses added by the previous one are dropped
        // (Keras clears a layer's losses when it is called outside another layer's call).
        bool topLevel = _callDepth == 0;
        if (topLevel) ClearLosses();
        _callDepth++;
        var outerScope = AutocastScope;
        AutocastScope = NextAutocastScope(outerScope);
        try
        {
            var (outs, outMasks) = CallWithMasks(cast, training, masks);
            if (ActivityRegularizer is { } reg) AddActivityLosses(reg, outs);
            return (outs, outMasks);
        }
        finally
        {
            AutocastScope = outerScope;
            _callDepth--;
        }
    }

    [ThreadStatic] private static int _callDepth;

    /// <summary>
    /// The type weights are read in while a layer runs (Keras's autocast scope), or null for their own type: set by
    /// <see cref="Invoke"/> for the duration of a mixed-precision layer's call; read by <see cref="KerasVariable.Value"/>.
    /// </summary>
    [ThreadStatic] internal static ScalarType? AutocastScope;

    /// <summary>Keras's rule for the scope a layer's call runs in, given the scope of the call around it.</summary>
    private ScalarType? NextAutocastScope(ScalarType? outer)
    {
        var compute = ComputeDType;
        if (!Autocast || !compute.IsFloat()) return null;
        if (outer is not null) return compute;
        return compute != VariableDType ? compute : null;
    }

    /// <summary>
    /// Keras 3's one activity-regularization formula, applied to every output of every layer that has an
    /// <see cref="ActivityRegularizer"/>: the penalty of the output divided by the batch size (0 for an empty batch).
    /// </summary>
    private void AddActivityLosses(Regularizers.Regularizer reg, Tensor[] outputs)
    {
        foreach (var o in outputs)
        {
            if (!o.dtype.IsFloat()) continue;
            var penalty = reg.Call(o);
            if (o.dim() > 0) penalty = o.shape[0] == 0 ? penalty * 0 : penalty / o.shape[0];
            AddLoss(penalty);
        }
    }

    /// <summary>
    /// Computes the outputs and their masks (the default calls <see cref="CallMulti"/> and <see cref="ComputeMasks"/>).
    /// Models override it to run their graph, whose output masks come from the layers inside.
    /// </summary>
    /// <param name="inputs">The inputs, already cast to the layer's type and validated.</param>
    /// <param name="training">Whether the call is part of training.</param>
    /// <param name="masks">The inputs' masks, or null when none has one.</param>
    protected internal virtual (Tensor[] outputs, Tensor?[] masks) CallWithMasks(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        var outs = CallMulti(inputs, training, masks);
        return (outs, ComputeMasks(inputs, masks, outs.Length));
    }

    /// <summary>
    /// Calls a child layer the way the framework does (build on first use, input casts and checks, masks,
    /// activity regularization), for layers that wrap other layers (<c>TimeDistributed</c>, <c>Bidirectional</c>,
    /// a user's own wrapper). Returns the child's outputs and their masks.
    /// </summary>
    /// <param name="layer">The child layer (track it with <see cref="TrackLayer{T}"/> or hold it in a field).</param>
    /// <param name="inputs">Its inputs.</param>
    /// <param name="training">Whether the call is part of training.</param>
    /// <param name="masks">The inputs' masks, or null.</param>
    protected static (Tensor[] outputs, Tensor?[] masks) CallLayer(Layer layer, Tensor[] inputs, bool training, Tensor?[]? masks = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(inputs);
        return layer.Invoke(inputs, training, masks);
    }

    /// <summary>
    /// Checks real inputs before <see cref="Call(Tensor, bool)"/>, like Keras's input spec. The default checks
    /// nothing (weightless layers take any shape, as in Keras); layers whose weights fix a dimension override it
    /// and throw an ArgumentException naming the layer, the expected and the actual shape.
    /// </summary>
    /// <param name="inputs">The real input batches about to be passed to <see cref="Call(Tensor, bool)"/>.</param>
    protected virtual void ValidateInputs(Tensor[] inputs) { }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Apply(input, training);

    // ----------------------------------------------------------------------------------- symbolic

    /// <summary>Applies the layer to a symbolic input (Functional API) and returns the symbolic output.</summary>
    /// <param name="input">The symbolic tensor from <see cref="Keras.Input(int?[], int?, string?, ScalarType)"/> or from another layer.</param>
    /// <returns>The symbolic output, whose shape comes from <see cref="ComputeOutputShape"/>.</returns>
    public KerasTensor Apply(KerasTensor input) => ApplyMulti(input)[0];

    /// <summary>Applies the layer to several symbolic inputs (<c>new Add().Apply(a, b)</c>).</summary>
    /// <param name="inputs">The symbolic inputs, in the order the layer expects (e.g. [query, value] for attention).</param>
    /// <returns>The first symbolic output.</returns>
    public KerasTensor Apply(params KerasTensor[] inputs)
    {
        var outs = ApplyMulti(inputs);
        if (outs.Length != 1)
            throw new InvalidOperationException($"Layer '{Name}' has {outs.Length} outputs: use ApplyMulti.");
        return outs[0];
    }

    /// <summary>Applies the layer to symbolic inputs and returns all its outputs (e.g. LSTM with returnState).</summary>
    /// <param name="inputs">The symbolic inputs, in the order the layer expects.</param>
    /// <returns>One symbolic tensor per output (e.g. [output, h, c] for an LSTM with <c>returnState</c>).</returns>
    public KerasTensor[] ApplyMulti(params KerasTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException($"Layer '{Name}' was applied to no inputs.", nameof(inputs));
        var shapes = inputs.Select(k => k.Shape).ToArray();
        if (!Built)
        {
            if (DeclaredInputShape != null && inputs.Length == 1)
                ShapeUtils.CheckCompatible(this, DeclaredInputShape, shapes[0]);
            EnsureBuilt(shapes);
        }
        else if (InputShape != null && inputs.Length == 1)
            ShapeUtils.CheckCompatible(this, InputShape, shapes[0], skipFirst: true);
        var outShapes = ComputeOutputShapes(shapes, inputs.Select(i => i.DType).ToArray());
        var node = new Node(this, inputs, outShapes.Length);
        var outs = new KerasTensor[outShapes.Length];
        for (int i = 0; i < outs.Length; i++)
            outs[i] = new KerasTensor(outShapes[i].shape, outShapes[i].dtype, node, i, ProducesMask || (inputs.Any(k => k.HasMask) && SupportsMasking));
        node.Outputs = outs;
        InboundNodes.Add(node);
        if (OutputShape == null && outs.Length == 1) OutputShape = outs[0].Shape;
        return outs;
    }

    /// <summary>Whether this layer creates a mask from its input (Embedding with maskZero).</summary>
    protected virtual bool ProducesMask => false;

    /// <summary>
    /// The output shape for an input shape (batch first, as null). The default runs the layer once on
    /// small zero tensors, so custom layers get it for free; catalogue layers compute it directly.
    /// </summary>
    /// <param name="inputShape">The input shape, batch dimension first (null for unknown dimensions).</param>
    /// <returns>The output shape, batch dimension first.</returns>
    public virtual int?[] ComputeOutputShape(int?[] inputShape)
        => ComputeOutputShapes([inputShape], [InputDType])[0].shape;

    /// <summary>The output shapes and types for several inputs (default: run on small zero tensors).</summary>
    /// <param name="inputShapes">One shape per input, batch first.</param>
    /// <param name="inputTypes">One element type per input (integer inputs can change the output type, e.g. an Embedding).</param>
    /// <returns>The shape and element type of each output.</returns>
    public virtual (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        if (inputShapes.Length == 1 && IsOverridden(nameof(ComputeOutputShape), typeof(int?[])))
            return [(ComputeOutputShape(inputShapes[0]), OutputDType(inputTypes[0]))];
        return ShapeUtils.InferByRunning(this, inputShapes, inputTypes);
    }

    /// <summary>The output element type for a float or integer input (default: the layer's compute type).</summary>
    /// <param name="inputType">The input's element type.</param>
    protected virtual ScalarType OutputDType(ScalarType inputType) => ComputeDType;

    private bool IsOverridden(string method, params Type[] args)
    {
        var m = GetType().GetMethod(method, BindingFlags.Instance | BindingFlags.Public, args);
        return m != null && m.DeclaringType != typeof(Layer);
    }

    // ----------------------------------------------------------------------------------- losses

    /// <summary>
    /// Regularizer of the layer's outputs (Keras's <c>activity_regularizer</c>): after each call, its penalty on
    /// every output divided by the batch size is added to <see cref="Losses"/>.
    /// </summary>
    public Regularizers.Regularizer? ActivityRegularizer { get; set; }

    /// <summary>Adds a loss computed during <see cref="Call(Tensor, bool)"/> (Keras's <c>add_loss</c>); the model adds it to the training loss of this forward pass.</summary>
    /// <param name="loss">A scalar tensor.</param>
    public void AddLoss(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        _losses.Add(loss);
    }

    /// <summary>The losses added during the last forward pass (<see cref="AddLoss"/>, activity regularization), this layer's and its sub-layers'.</summary>
    public IReadOnlyList<Tensor> ActivityLosses
    {
        get
        {
            var list = new List<Tensor>(_losses);
            foreach (var l in SubLayers) list.AddRange(l.ActivityLosses);
            return list;
        }
    }

    /// <summary>
    /// Every loss of this layer and its sub-layers (Keras's <c>layer.losses</c>): the losses added during the last
    /// forward pass, then the weight-regularization penalties of the trainable weights.
    /// </summary>
    public IReadOnlyList<Tensor> Losses
    {
        get
        {
            var list = new List<Tensor>(ActivityLosses);
            if (RegularizationLoss() is { } reg) list.Add(reg);
            return list;
        }
    }

    /// <summary>Drops the losses added by the previous forward pass, here and in every sub-layer.</summary>
    internal void ClearLosses()
    {
        _losses.Clear();
        foreach (var l in SubLayers) l.ClearLosses();
    }

    /// <summary>The sum of the weight-regularization penalties of this layer and its sub-layers, or null.</summary>
    internal Tensor? RegularizationLoss()
    {
        Tensor? total = null;
        foreach (var v in Variables)
        {
            if (v.Regularizer == null || !v.Trainable) continue;
            var p = v.Regularizer.Call(v.InKerasLayout(v.Raw)); // in the variable type, as Keras
            total = total is null ? p : total + p;
        }
        return total;
    }

    // ----------------------------------------------------------------------------------- config

    /// <summary>The constructor arguments that rebuild this layer (Keras's <c>get_config</c>); subclasses add theirs.</summary>
    public virtual Dictionary<string, object?> GetConfig()
    {
        // Keras writes the dtype policy; its name here ("float32", "mixed_bfloat16"), a DTypePolicy record in .keras files.
        var c = new Dictionary<string, object?> { ["name"] = Name, ["trainable"] = Trainable, ["dtype"] = _dtypePolicy.Name };
        if (DeclaredInputShape != null) c["input_shape"] = DeclaredInputShape;
        return c;
    }

    /// <summary>Keras's name of an element type ("float32", "int64", …), as configs write it.</summary>
    /// <param name="t">The element type.</param>
    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32", ScalarType.Float64 => "float64", ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16", ScalarType.Int64 => "int64", ScalarType.Int32 => "int32",
        ScalarType.Byte => "uint8", ScalarType.Bool => "bool", _ => t.ToString().ToLowerInvariant(),
    };

    // ----------------------------------------------------------------------------------- device

    /// <summary>Refreshes the variables after <c>Module.to(...)</c> replaced the tensors.</summary>
    /// <param name="dtype">The element type the module was moved to, or null if unchanged.</param>
    /// <param name="device">The device the module was moved to, or null if unchanged.</param>
    /// <param name="non_blocking">Whether the copy was asynchronous.</param>
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        var ps = _internal_params;
        var bs = _internal_buffers;
        foreach (var v in _variables)
        {
            if (ps.TryGetValue(v.Name, out var p)) v.Value = p;
            else if (bs.TryGetValue(v.Name, out var b)) v.Value = b.Item1;
        }
        if (device != null) _deviceOverride = device;
    }

    /// <inheritdoc />
    public override string ToString() => $"<{GetType().Name} name={Name}, built={Built}>";
}
