using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Dynamic loss scaling around another optimizer (Keras's <c>keras.optimizers.LossScaleOptimizer</c>), for float16
/// training, where small gradients would underflow: the loss is multiplied by a scale before back-propagation and the
/// gradients are divided by it before the wrapped optimizer uses them. The scale starts at <see cref="InitialScale"/>
/// (2^15); a step whose gradients hold an infinity or NaN is skipped and halves the scale; after
/// <see cref="DynamicGrowthSteps"/> steps in a row with finite gradients the scale doubles. <c>Compile</c> wraps the
/// optimizer in one automatically when the model's dtype policy is "mixed_float16".
/// </summary>
/// <remarks>
/// Everything happens on the device, with no read-back per step: the scale and the step counter are device tensors,
/// and a step is "skipped" by running the wrapped optimizer and then putting back, with <c>torch.where</c> on the
/// finiteness flag, the weights, the optimizer's state tensors (moments, accumulators, moving averages) and the
/// gradient-accumulation buffers as they were before it. Host-side counters cannot depend on a device flag without
/// a read-back, so <see cref="Optimizer.Iterations"/> (and with it a learning-rate schedule) and torch's per-weight step
/// counts still advance on a skipped step, where Keras's do not; the weights and the optimizer slots do not change.
/// Learning rate, iterations and the moving averages are the wrapped optimizer's.
/// </remarks>
public sealed class LossScaleOptimizer : Optimizer
{
    private static readonly Dictionary<Type, FieldInfo[]> TensorFields = new();
    private Tensor? _scale;
    private Tensor? _counter;
    private readonly List<Tensor> _backups = new();

    /// <summary>Wraps <paramref name="innerOptimizer"/> with dynamic loss scaling.</summary>
    /// <param name="innerOptimizer">The optimizer that applies the unscaled gradients (its own <c>lossScaleFactor</c> is cleared, as in Keras).</param>
    /// <param name="initialScale">The first loss scale (Keras's default 2^15 = 32768).</param>
    /// <param name="dynamicGrowthSteps">The scale doubles after this many steps in a row with finite gradients (default 2000).</param>
    /// <param name="name">The optimizer's name.</param>
    /// <exception cref="ArgumentException">The inner optimizer is itself a LossScaleOptimizer.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not finite and positive, or the growth interval is below 1.</exception>
    public LossScaleOptimizer(Optimizer innerOptimizer, double initialScale = 32768.0, int dynamicGrowthSteps = 2000, string? name = null)
        : base(0.0, null, null, null, null, name ?? "loss_scale_optimizer")
    {
        ArgumentNullException.ThrowIfNull(innerOptimizer);
        if (innerOptimizer is LossScaleOptimizer)
            throw new ArgumentException("innerOptimizer is already a LossScaleOptimizer; wrap the optimizer it wraps instead.", nameof(innerOptimizer));
        if (!(initialScale > 0 && double.IsFinite(initialScale)))
            throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, $"initialScale must be finite and > 0; got {initialScale}.");
        if (dynamicGrowthSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(dynamicGrowthSteps), dynamicGrowthSteps, $"dynamicGrowthSteps must be >= 1; got {dynamicGrowthSteps}.");
        InnerOptimizer = innerOptimizer;
        InitialScale = initialScale;
        DynamicGrowthSteps = dynamicGrowthSteps;
        innerOptimizer.LossScaleFactor = null;
    }

    /// <summary>The wrapped optimizer.</summary>
    public Optimizer InnerOptimizer { get; }

    /// <summary>The loss scale before the first step.</summary>
    public double InitialScale { get; }

    /// <summary>Steps in a row with finite gradients after which the scale doubles.</summary>
    public int DynamicGrowthSteps { get; }

    /// <summary>The current loss scale, a float32 scalar on the weights' device (Keras's <c>dynamic_scale</c>); null before <see cref="Build"/>.</summary>
    public Tensor? DynamicScale => _scale;

    /// <summary>Finite steps since the scale last changed, an int64 scalar on the device (Keras's <c>step_counter</c>); null before <see cref="Build"/>.</summary>
    public Tensor? StepCounter => _counter;

    /// <inheritdoc />
    public override torch.optim.Optimizer? TorchOptimizer => InnerOptimizer.TorchOptimizer;

    /// <inheritdoc />
    public override IReadOnlyList<KerasVariable> Variables => InnerOptimizer.Variables;

    /// <summary>The wrapped optimizer's iterations.</summary>
    public override long Iterations
    {
        get => InnerOptimizer.Iterations;
        set => InnerOptimizer.Iterations = value;
    }

    /// <inheritdoc />
    public override long KerasIterations => InnerOptimizer.KerasIterations;

    /// <summary>The wrapped optimizer's learning rate (setting it sets the wrapped optimizer's).</summary>
    public override double LearningRate
    {
        get => InnerOptimizer.LearningRate;
        set => InnerOptimizer.LearningRate = value;
    }

    /// <inheritdoc />
    public override IReadOnlyList<Tensor?>? EmaAverages => InnerOptimizer.EmaAverages;

    /// <inheritdoc />
    public override void FinalizeVariableValues() => InnerOptimizer.FinalizeVariableValues();

    /// <summary>The wrapped optimizer's EMA averages and accumulators (saved with the model).</summary>
    internal override IEnumerable<(string Name, IReadOnlyList<Tensor?> Values)> ExtraState() => InnerOptimizer.ExtraState();

    /// <summary>Keras's <c>scale_loss</c>: the loss times the current scale (<see cref="InitialScale"/> before <see cref="Build"/>).</summary>
    /// <param name="loss">The loss.</param>
    public override Tensor ScaleLoss(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return _scale is null ? loss * InitialScale : loss * _scale;
    }

    /// <summary>Builds the wrapped optimizer for these weights and creates the scale and the step counter on their device.</summary>
    /// <param name="variables">The weights to update.</param>
    public override void Build(IReadOnlyList<KerasVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        InnerOptimizer.Build(variables);
        DisposeState();
        var device = variables.Count > 0 ? variables[0].Raw.device : Keras.Config.Device;
        _scale = torch.tensor((float)InitialScale, device: device).DetachFromDisposeScope();
        _counter = torch.tensor(0L, device: device).DetachFromDisposeScope();
    }

    /// <summary>Not used: the wrapped optimizer makes its own torch optimizer.</summary>
    /// <param name="parameters">Unused.</param>
    /// <param name="learningRate">Unused.</param>
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => throw new InvalidOperationException("LossScaleOptimizer has no torch optimizer of its own.");

    /// <summary>
    /// One step: unscales the gradients, checks them on the device, lets the wrapped optimizer apply them, and undoes
    /// that step when a gradient was not finite; then updates the scale and the counter (Keras's rule). Nothing is read
    /// back from the device. Call inside a DisposeScope.
    /// </summary>
    public override void Step()
    {
        if (_scale is null || _counter is null || !Built)
            throw new InvalidOperationException($"Optimizer '{Name}' is not built: call Build(variables) first.");
        Keras.Distribution.Current?.AllReduceGradients(this); // every rank sees the same gradients, so the same verdict
        var live = new List<Tensor>();
        var replaced = new List<(object State, FieldInfo Field, Tensor Before)>();
        Tensor finite;
        using (torch.no_grad())
        {
            var checks = new List<Tensor>();
            foreach (var v in Variables)
            {
                if (v.Raw.grad is not Tensor g) continue;
                g.div_(_scale);
                checks.Add(g.isfinite().all());
            }
            finite = checks.Count == 0 ? torch.tensor(true, device: _scale.device)
                : checks.Count == 1 ? checks[0] : torch.stack(checks).all();
            foreach (var v in Variables) live.Add(v.Raw);
            foreach (var (state, field, t) in StateTensors())
            {
                live.Add(t);
                replaced.Add((state, field, t));
            }
            if (InnerOptimizer.EmaAverages is { } ema) foreach (var a in ema) if (a is not null) live.Add(a);
            if (InnerOptimizer.Accumulators is { } acc) foreach (var a in acc) if (a is not null) live.Add(a);
            for (int i = 0; i < live.Count; i++)
            {
                if (i == _backups.Count) _backups.Add(torch.empty_like(live[i]).DetachFromDisposeScope());
                else if (!_backups[i].shape.SequenceEqual(live[i].shape) || _backups[i].dtype != live[i].dtype || _backups[i].device != live[i].device)
                {
                    _backups[i].Dispose();
                    _backups[i] = torch.empty_like(live[i]).DetachFromDisposeScope();
                }
                _backups[i].copy_(live[i]);
            }
        }
        InnerOptimizer.ApplyStep(allReduce: false);
        using (torch.no_grad())
        {
            int n = Variables.Count;
            for (int i = 0; i < n; i++) live[i].copy_(torch.where(finite, live[i], _backups[i]));
            // The torch optimizer may update a state tensor in place or replace it: restore it wherever it is now.
            for (int j = 0; j < replaced.Count; j++)
            {
                var (state, field, before) = replaced[j];
                var backup = _backups[n + j];
                if (field.GetValue(state) is Tensor now && !ReferenceEquals(now, before))
                    field.SetValue(state, torch.where(finite, now, backup).DetachFromDisposeScope());
                else before.copy_(torch.where(finite, before, backup));
            }
            for (int i = n + replaced.Count; i < live.Count; i++) live[i].copy_(torch.where(finite, live[i], _backups[i]));
            var grow = _counter.eq(DynamicGrowthSteps - 1);
            var newScale = torch.where(finite, torch.where(grow, _scale * 2.0, _scale), _scale * 0.5);
            var newCounter = torch.where(finite, torch.where(grow, torch.zeros_like(_counter), _counter + 1), torch.zeros_like(_counter));
            _scale.copy_(newScale);
            _counter.copy_(newCounter);
        }
    }

    /// <summary>The per-weight state tensors of the wrapped torch optimizer (Adam's moments, …), with where they live.</summary>
    private IEnumerable<(object State, FieldInfo Field, Tensor Value)> StateTensors()
    {
        if (TorchOptimizer is not OptimizerHelper helper) yield break;
        foreach (var state in helper.state_dict().State)
        {
            FieldInfo[] fields;
            lock (TensorFields)
            {
                var type = state.GetType();
                if (!TensorFields.TryGetValue(type, out fields!))
                    TensorFields[type] = fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.FieldType == typeof(Tensor)).ToArray();
            }
            foreach (var f in fields)
                if (f.GetValue(state) is Tensor t) yield return (state, f, t);
        }
    }

    /// <summary>Keras's config: name, the wrapped optimizer's record, initial_scale, dynamic_growth_steps.</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var inner = new Dictionary<string, object?>(InnerOptimizer.GetConfig());
        if (InnerOptimizer.Schedule is { } schedule) inner["learning_rate"] = schedule;
        var type = InnerOptimizer.GetType();
        return new()
        {
            ["name"] = Name,
            ["inner_optimizer"] = new Dictionary<string, object?>
            {
                ["module"] = type.Namespace, ["class_name"] = type.Name, ["config"] = inner,
                ["registered_name"] = Saving.Serialization.GetRegisteredName(type),
            },
            ["initial_scale"] = InitialScale,
            ["dynamic_growth_steps"] = DynamicGrowthSteps,
        };
    }

    private void DisposeState()
    {
        _scale?.Dispose();
        _counter?.Dispose();
        foreach (var b in _backups) b.Dispose();
        _backups.Clear();
        _scale = null;
        _counter = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        DisposeState();
        InnerOptimizer.Dispose();
        base.Dispose(disposing);
    }
}
