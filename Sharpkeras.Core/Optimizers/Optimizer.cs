using Sharpkeras.Optimizers.Schedules;
using Sharpkeras.Registry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Base class of optimizers (Keras's <c>keras.optimizers.Optimizer</c>), each wrapping a real
/// <c>torch.optim</c> optimizer. Adds Keras's options: a learning-rate schedule evaluated every step,
/// decoupled <c>weightDecay</c>, per-weight <c>clipNorm</c>, <c>globalClipnorm</c>, <c>clipValue</c>, and
/// weight constraints. None of them reads a value back from the device.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private double _learningRate;
    private LearningRateSchedule? _schedule;
    private List<KerasVariable> _variables = new();

    /// <summary>Creates an optimizer.</summary>
    /// <param name="learningRate">A number or a <see cref="LearningRateSchedule"/>.</param>
    /// <param name="weightDecay">Decoupled weight decay: each step w -= lr·wd·w (null: none).</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="name">The optimizer's name.</param>
    protected Optimizer(object learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipnorm, string name)
        : this(learningRate, weightDecay, clipNorm, clipValue, globalClipnorm, false, 0.99, null, null, null, name) { }

    /// <summary>Creates an optimizer with Keras's full set of base options.</summary>
    /// <param name="learningRate">A number or a <see cref="LearningRateSchedule"/>.</param>
    /// <param name="weightDecay">Decoupled weight decay: each step w -= lr·wd·w (null: none).</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum: avg ← m·avg + (1 − m)·w (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Every this many iterations the weights are overwritten with their average (null: only at <see cref="FinalizeVariableValues"/>).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">The trainer multiplies the loss by it (<see cref="ScaleLoss"/>) and the gradients are divided by it before use.</param>
    /// <param name="name">The optimizer's name.</param>
    protected Optimizer(object learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipnorm,
        bool useEma, double emaMomentum, int? emaOverwriteFrequency, int? gradientAccumulationSteps, double? lossScaleFactor, string name)
    {
        switch (learningRate)
        {
            case LearningRateSchedule s: _schedule = s; _learningRate = s.Evaluate(0); break;
            case double d: _learningRate = CheckLr(d); break;
            case float f: _learningRate = CheckLr(f); break;
            case int i: _learningRate = CheckLr(i); break;
            case null: throw new ArgumentNullException(nameof(learningRate));
            default: throw new ArgumentException($"learningRate must be a number or a LearningRateSchedule; got {learningRate.GetType().Name}.", nameof(learningRate));
        }
        if (weightDecay is < 0 || (weightDecay is double w && !double.IsFinite(w)))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weightDecay must be >= 0.");
        if (clipNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clipNorm must be > 0.");
        if (clipValue is <= 0) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be > 0.");
        if (globalClipnorm is <= 0) throw new ArgumentOutOfRangeException(nameof(globalClipnorm), globalClipnorm, "globalClipnorm must be > 0.");
        if ((clipNorm != null ? 1 : 0) + (clipValue != null ? 1 : 0) + (globalClipnorm != null ? 1 : 0) > 1)
            throw new ArgumentException(
                $"Only one of clipNorm, clipValue and globalClipnorm can be set. Received: clipNorm={clipNorm}, clipValue={clipValue}, globalClipnorm={globalClipnorm}.",
                nameof(globalClipnorm));
        if (!(emaMomentum >= 0 && emaMomentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(emaMomentum), emaMomentum, "emaMomentum must be in [0, 1].");
        if (emaOverwriteFrequency is < 1)
            throw new ArgumentOutOfRangeException(nameof(emaOverwriteFrequency), emaOverwriteFrequency, "emaOverwriteFrequency must be an integer >= 1 or null.");
        if (gradientAccumulationSteps is < 2)
            throw new ArgumentOutOfRangeException(nameof(gradientAccumulationSteps), gradientAccumulationSteps, "gradientAccumulationSteps must be an integer >= 2 or null.");
        if (lossScaleFactor is double lsf && !(lsf > 0 && double.IsFinite(lsf)))
            throw new ArgumentOutOfRangeException(nameof(lossScaleFactor), lossScaleFactor, "lossScaleFactor must be finite and > 0.");
        UseEma = useEma; EmaMomentum = emaMomentum; EmaOverwriteFrequency = emaOverwriteFrequency;
        GradientAccumulationSteps = gradientAccumulationSteps; LossScaleFactor = lossScaleFactor;
        WeightDecay = weightDecay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipnorm;
        Name = name;
    }

    private static double CheckLr(double lr) =>
        lr >= 0 && double.IsFinite(lr) ? lr : throw new ArgumentOutOfRangeException("learningRate", lr, "learningRate must be finite and >= 0.");

    /// <summary>The optimizer's name.</summary>
    public string Name { get; }

    /// <summary>Decoupled weight decay, or null.</summary>
    public double? WeightDecay { get; }

    /// <summary>Per-weight gradient norm clip, or null.</summary>
    public double? ClipNorm { get; }

    /// <summary>Gradient value clip, or null.</summary>
    public double? ClipValue { get; }

    /// <summary>Global gradient norm clip, or null.</summary>
    public double? GlobalClipNorm { get; }

    /// <summary>Whether an exponential moving average of the weights is kept.</summary>
    public bool UseEma { get; }

    /// <summary>The moving average's momentum.</summary>
    public double EmaMomentum { get; }

    /// <summary>How often (in iterations) the weights are overwritten with their average, or null.</summary>
    public int? EmaOverwriteFrequency { get; }

    /// <summary>Gradients are accumulated over this many steps, or null.</summary>
    public int? GradientAccumulationSteps { get; }

    /// <summary>The loss scale factor, or null (a <see cref="LossScaleOptimizer"/> clears its inner optimizer's, as Keras does).</summary>
    public double? LossScaleFactor { get; internal set; }

    /// <summary>Keras's <c>scale_loss</c>: the loss times <see cref="LossScaleFactor"/> (the trainer calls it before backward).</summary>
    /// <param name="loss">The loss.</param>
    public virtual Tensor ScaleLoss(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return LossScaleFactor is double f ? loss * f : loss;
    }

    private readonly HashSet<KerasVariable> _excludedFromDecay = new(ReferenceEqualityComparer.Instance);
    private System.Text.RegularExpressions.Regex? _excludedFromDecayPattern;
    private List<Tensor?>? _emaAverages;
    private List<Tensor?>? _accumulators;

    /// <summary>
    /// Keras's <c>exclude_from_weight_decay</c>: the given weights, and the weights whose name contains one of
    /// <paramref name="varNames"/> (a regular-expression alternative, as in Keras), get no weight decay. Call before the first step.
    /// </summary>
    /// <param name="varList">Weights to exclude, or null.</param>
    /// <param name="varNames">Name fragments (e.g. "bias"), or null.</param>
    public void ExcludeFromWeightDecay(IEnumerable<KerasVariable>? varList = null, IEnumerable<string>? varNames = null)
    {
        if (Built)
            throw new InvalidOperationException($"Optimizer '{Name}': ExcludeFromWeightDecay() can only be configured before the optimizer is built.");
        _excludedFromDecay.Clear();
        if (varList is not null)
            foreach (var v in varList) _excludedFromDecay.Add(v ?? throw new ArgumentException("varList holds a null variable.", nameof(varList)));
        var names = varNames?.ToList();
        if (names is { Count: > 0 })
        {
            if (names.Any(string.IsNullOrEmpty)) throw new ArgumentException("varNames holds an empty name.", nameof(varNames));
            _excludedFromDecayPattern = new System.Text.RegularExpressions.Regex(string.Join("|", names.Distinct()));
        }
        else _excludedFromDecayPattern = null;
    }

    /// <summary>Whether weight decay applies to <paramref name="variable"/> (Keras's <c>_use_weight_decay</c>).</summary>
    /// <param name="variable">The weight.</param>
    public bool UsesWeightDecay(KerasVariable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (_excludedFromDecay.Contains(variable)) return false;
        if (_excludedFromDecayPattern is { } re && (re.IsMatch(variable.Name) || re.IsMatch(variable.Path))) return false;
        return true;
    }

    /// <summary>The moving averages of the weights (with <see cref="UseEma"/>, after the first step), in <see cref="Variables"/> order.</summary>
    public virtual IReadOnlyList<Tensor?>? EmaAverages => _emaAverages;

    /// <summary>The gradient-accumulation buffers (with <see cref="GradientAccumulationSteps"/>), in <see cref="Variables"/> order.</summary>
    internal IReadOnlyList<Tensor?>? Accumulators => _accumulators;

    /// <summary>
    /// The optimizer's own per-weight state beside the torch optimizer's, for saving: Keras's <c>average</c> (EMA) and
    /// <c>gradient_accumulator</c> variables, each a list in <see cref="Variables"/> order (torch layout, like the weights).
    /// </summary>
    internal virtual IEnumerable<(string Name, IReadOnlyList<Tensor?> Values)> ExtraState()
    {
        if (_emaAverages is not null) yield return ("average", _emaAverages);
        if (_accumulators is not null) yield return ("gradient_accumulator", _accumulators);
    }

    /// <summary>
    /// Keras's <c>finalize_variable_values</c>: with <see cref="UseEma"/>, overwrites the weights with their moving average. Keras's
    /// <c>fit</c> calls it when training ends.
    /// </summary>
    public virtual void FinalizeVariableValues()
    {
        if (!UseEma || _emaAverages is null) return;
        using var _ = torch.no_grad();
        for (int i = 0; i < _variables.Count; i++)
            if (_emaAverages[i] is Tensor a) _variables[i].Raw.copy_(a);
    }

    /// <summary>Keras's <c>iterations</c>: the steps applied, divided by <see cref="GradientAccumulationSteps"/> when accumulating.</summary>
    public virtual long KerasIterations => GradientAccumulationSteps is int n ? Iterations / n : Iterations;

    /// <summary>The number of steps applied so far (Keras's <c>iterations</c>).</summary>
    public virtual long Iterations { get; set; }

    /// <summary>The schedule, if the learning rate is one.</summary>
    public LearningRateSchedule? Schedule => _schedule;

    /// <summary>
    /// The current learning rate. With a schedule, the value for the next step; setting it is then an
    /// <see cref="InvalidOperationException"/>, as in Keras.
    /// </summary>
    public virtual double LearningRate
    {
        get => _schedule?.Evaluate(Iterations) ?? _learningRate;
        set
        {
            if (_schedule is not null)
                throw new InvalidOperationException(
                    $"Optimizer '{Name}' was created with a LearningRateSchedule ({_schedule.GetType().Name}) as its learningRate, hence its learning rate is not settable " +
                    "(as in Keras). If you need a settable learning rate (e.g. for LearningRateScheduler or ReduceLROnPlateau), create the optimizer with a number as learningRate.");
            _learningRate = CheckLr(value);
            SetTorchLr(_learningRate);
        }
    }

    private torch.optim.Optimizer? _torchOptimizer;

    /// <summary>The wrapped torch optimizer (null until the first step).</summary>
    public virtual torch.optim.Optimizer? TorchOptimizer => _torchOptimizer;

    /// <summary>The weights this optimizer updates (after <see cref="Build"/>).</summary>
    public virtual IReadOnlyList<KerasVariable> Variables => _variables;

    /// <summary>Whether the torch optimizer exists.</summary>
    public bool Built => TorchOptimizer != null;

    /// <summary>Creates the torch optimizer for these weights (done by the trainer before the first step).</summary>
    /// <param name="variables">The trainable variables, in the model's order (the order of the optimizer's saved state).</param>
    public virtual void Build(IReadOnlyList<KerasVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _torchOptimizer?.Dispose();
        _variables = variables.ToList();
        var ps = _variables.Select(v => (Parameter)v.Raw).ToList();
        _torchOptimizer = CreateTorchOptimizer(ps, LearningRate);
        DisposeExtras();
        using var _ = torch.no_grad();
        if (UseEma) _emaAverages = _variables.Select(v => (Tensor?)v.Raw.detach().clone().DetachFromDisposeScope()).ToList();
        if (GradientAccumulationSteps is not null)
            _accumulators = _variables.Select(v => (Tensor?)torch.zeros_like(v.Raw).DetachFromDisposeScope()).ToList();
    }

    /// <summary>Makes the torch optimizer for <paramref name="parameters"/> with Keras's hyper-parameters.</summary>
    /// <param name="parameters">The torch parameters behind the trainable variables.</param>
    /// <param name="learningRate">The initial learning rate (the schedule's value at step 0).</param>
    protected abstract torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate);

    /// <summary>
    /// Called by <see cref="Step"/> just before the torch step, after the learning rate for this step was set:
    /// lets an optimizer adjust host-side hyper-parameters of the torch optimizer (nothing may be read from the device).
    /// </summary>
    /// <param name="learningRate">The learning rate this step uses (after the schedule).</param>
    protected virtual void BeforeTorchStep(double learningRate) { }

    /// <summary>Whether the torch optimizer applies the weight decay itself (AdamW).</summary>
    protected virtual bool AppliesOwnWeightDecay => false;

    /// <summary>Zeroes the gradients (the torch optimizer's <c>zero_grad()</c>; Adam and AdamW zero one flat buffer).</summary>
    public void ZeroGrad() => TorchOptimizer?.zero_grad();

    /// <summary>
    /// Applies one step with the gradients already in the weights' <c>.grad</c>: clipping, the learning rate
    /// for this step, weight decay, the torch update, constraints; then <see cref="Iterations"/> += 1.
    /// Call inside a DisposeScope; nothing is read back from the device.
    /// </summary>
    public virtual void Step() => ApplyStep(allReduce: true);

    /// <summary>The step itself; <paramref name="allReduce"/> false when a wrapping optimizer already averaged the gradients.</summary>
    internal void ApplyStep(bool allReduce)
    {
        var torchOptimizer = _torchOptimizer ?? throw new InvalidOperationException($"Optimizer '{Name}' is not built: call Build(variables) first.");
        if (allReduce) Keras.Distribution.Current?.AllReduceGradients(this); // distribution hook: average gradients over the ranks
        double lr = LearningRate;
        SetTorchLr(lr);
        BeforeTorchStep(lr);
        bool update = true;
        using (torch.no_grad())
        {
            if (LossScaleFactor is double scale)
                foreach (var v in _variables)
                    v.Raw.grad?.div_(scale);
            if (GradientAccumulationSteps is int steps && _accumulators is not null)
            {
                update = (Iterations + 1) % steps == 0;
                for (int i = 0; i < _variables.Count; i++)
                {
                    if (_variables[i].Raw.grad is not Tensor g || _accumulators[i] is not Tensor acc) continue;
                    if (update) { g.add_(acc).div_(steps); acc.zero_(); }
                    else acc.add_(g);
                }
            }
            if (update)
            {
                if (ClipNorm != null || ClipValue != null || GlobalClipNorm != null) ClipGradients();
                if (WeightDecay is double wd && wd > 0 && !AppliesOwnWeightDecay)
                    foreach (var v in _variables)
                        if (UsesWeightDecay(v)) v.Raw.mul_(1.0 - lr * wd);
            }
        }
        if (update) torchOptimizer.step();
        using (torch.no_grad())
        {
            if (UseEma && _emaAverages is not null)
            {
                double m = KerasIterations != 0 ? EmaMomentum : 0.0;
                for (int i = 0; i < _variables.Count; i++)
                    _emaAverages[i]?.mul_(m).add_(_variables[i].Raw, alpha: 1.0 - m);
                if (EmaOverwriteFrequency is int f && (KerasIterations + 1) % f == 0)
                    for (int i = 0; i < _variables.Count; i++)
                        if (_emaAverages[i] is Tensor a) _variables[i].Raw.copy_(a);
            }
            if (update)
                foreach (var v in _variables) v.ApplyConstraint();
        }
        Iterations++;
    }

    private void DisposeExtras()
    {
        if (_emaAverages is not null) foreach (var t in _emaAverages) t?.Dispose();
        if (_accumulators is not null) foreach (var t in _accumulators) t?.Dispose();
        _emaAverages = null;
        _accumulators = null;
    }

    private void ClipGradients()
    {
        var grads = new List<Tensor>();
        foreach (var v in _variables)
            if (v.Raw.grad is Tensor g) grads.Add(g);
        if (ClipValue is double cv)
            foreach (var g in grads) g.clamp_(-cv, cv);
        if (ClipNorm is double cn)
        {
            foreach (var g in grads)
            {
                var norm = g.square().sum().sqrt();
                var factor = (cn / norm.clamp_min(1e-12)).clamp_max(1.0);
                g.mul_(factor);
            }
        }
        if (GlobalClipNorm is double gn && grads.Count > 0)
        {
            var total = torch.stack(grads.Select(g => g.square().sum()).ToArray()).sum().sqrt();
            var factor = (gn / total.clamp_min(1e-12)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(factor);
        }
    }

    private void SetTorchLr(double lr)
    {
        if (_torchOptimizer == null) return;
        foreach (var g in _torchOptimizer.ParamGroups) g.LearningRate = lr;
    }

    /// <summary>The arguments that rebuild this optimizer.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = _schedule is null ? _learningRate : null,
        ["weight_decay"] = WeightDecay, ["clipnorm"] = ClipNorm, ["clipvalue"] = ClipValue, ["global_clipnorm"] = GlobalClipNorm,
        ["use_ema"] = UseEma, ["ema_momentum"] = EmaMomentum, ["ema_overwrite_frequency"] = EmaOverwriteFrequency,
        ["loss_scale_factor"] = LossScaleFactor, ["gradient_accumulation_steps"] = GradientAccumulationSteps,
    };

    /// <summary>The registry behind <see cref="Get"/> (aliases are lower-case; lookups are case-insensitive, as in Keras).</summary>
    public static AliasRegistry<Optimizer> Registry { get; } = OptimizerCatalog.Create();

    /// <summary>The Keras aliases <see cref="Get"/> accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    /// <summary>Resolves a Keras alias (with Keras's default hyper-parameters) or an optimizer object.</summary>
    /// <param name="identifier">An <see cref="Optimizer"/> or an alias such as "adam".</param>
    public static Optimizer Get(object identifier) => identifier switch
    {
        Optimizer o => o,
        string s => Registry.TryGet(s.ToLowerInvariant(), out var o) ? o : throw Registry.UnknownAlias(s, nameof(identifier)),
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret optimizer '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the torch optimizer and the extra state tensors.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        _torchOptimizer?.Dispose();
        _torchOptimizer = null;
        DisposeExtras();
    }
}

/// <summary>Keras's optimizer aliases (the lower-case class names).</summary>
internal static class OptimizerCatalog
{
    public static AliasRegistry<Optimizer> Create()
    {
        var r = new AliasRegistry<Optimizer>("optimizer");
        r.Register(() => new SGD(), "sgd");
        r.Register(() => new Adam(), "adam");
        r.Register(() => new RMSprop(), "rmsprop");
        r.Register(() => new AdamW(), "adamw");
        r.Register(() => new Adagrad(), "adagrad");
        r.Register(() => new Adadelta(), "adadelta");
        r.Register(() => new Adamax(), "adamax");
        r.Register(() => new Nadam(), "nadam");
        r.Register(() => new Lion(), "lion");
        r.Register(() => new Lamb(), "lamb");
        r.Register(() => new Adafactor(), "adafactor");
        r.Register(() => new Ftrl(), "ftrl");
        return r;
    }
}
