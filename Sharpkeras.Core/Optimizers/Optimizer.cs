using Sharpkeras.Optimizers.Schedules;
using Sharpkeras.Registry;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Base class of optimizers (Keras's <c>keras.optimizers.Optimizer</c>), each wrapping a real
/// <c>torch.optim</c> optimizer. Adds Keras's options: a learning-rate schedule evaluated every step,
/// decoupled <c>weightDecay</c>, per-weight <c>clipNorm</c>, <c>globalClipNorm</c>, <c>clipValue</c>, and
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
    /// <param name="globalClipNorm">All gradients together are clipped to this global norm.</param>
    /// <param name="name">The optimizer's name.</param>
    protected Optimizer(object learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm, string name)
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
        if (globalClipNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(globalClipNorm), globalClipNorm, "globalClipNorm must be > 0.");
        if ((clipNorm != null ? 1 : 0) + (clipValue != null ? 1 : 0) + (globalClipNorm != null ? 1 : 0) > 1)
            throw new ArgumentException(
                $"Only one of clipNorm, clipValue and globalClipNorm can be set. Received: clipNorm={clipNorm}, clipValue={clipValue}, globalClipNorm={globalClipNorm}.",
                nameof(globalClipNorm));
        WeightDecay = weightDecay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipNorm;
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

    /// <summary>The number of steps applied so far (Keras's <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>The schedule, if the learning rate is one.</summary>
    public LearningRateSchedule? Schedule => _schedule;

    /// <summary>
    /// The current learning rate. With a schedule, the value for the next step; setting it replaces the
    /// schedule with a constant (as assigning <c>optimizer.learning_rate</c> does in Keras).
    /// </summary>
    public double LearningRate
    {
        get => _schedule?.Evaluate(Iterations) ?? _learningRate;
        set
        {
            _learningRate = CheckLr(value);
            _schedule = null;
            SetTorchLr(_learningRate);
        }
    }

    /// <summary>The wrapped torch optimizer (null until the first step).</summary>
    public torch.optim.Optimizer? TorchOptimizer { get; private set; }

    /// <summary>The weights this optimizer updates (after <see cref="Build"/>).</summary>
    public IReadOnlyList<KerasVariable> Variables => _variables;

    /// <summary>Whether the torch optimizer exists.</summary>
    public bool Built => TorchOptimizer != null;

    /// <summary>Creates the torch optimizer for these weights (done by the trainer before the first step).</summary>
    public virtual void Build(IReadOnlyList<KerasVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        TorchOptimizer?.Dispose();
        _variables = variables.ToList();
        var ps = _variables.Select(v => (Parameter)v.Value).ToList();
        TorchOptimizer = CreateTorchOptimizer(ps, LearningRate);
    }

    /// <summary>Makes the torch optimizer for <paramref name="parameters"/> with Keras's hyper-parameters.</summary>
    protected abstract torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate);

    /// <summary>
    /// Called by <see cref="Step"/> just before the torch step, after the learning rate for this step was set:
    /// lets an optimizer adjust host-side hyper-parameters of the torch optimizer (nothing may be read from the device).
    /// </summary>
    protected virtual void BeforeTorchStep(double learningRate) { }

    /// <summary>Whether the torch optimizer applies the weight decay itself (AdamW).</summary>
    protected virtual bool AppliesOwnWeightDecay => false;

    /// <summary>Zeroes the gradients.</summary>
    public void ZeroGrad() => TorchOptimizer?.zero_grad();

    /// <summary>
    /// Applies one step with the gradients already in the weights' <c>.grad</c>: clipping, the learning rate
    /// for this step, weight decay, the torch update, constraints; then <see cref="Iterations"/> += 1.
    /// Call inside a DisposeScope; nothing is read back from the device.
    /// </summary>
    public void Step()
    {
        if (TorchOptimizer is null) throw new InvalidOperationException($"Optimizer '{Name}' is not built: call Build(variables) first.");
        Keras.Distribution.Current?.AllReduceGradients(this); // distribution hook: average gradients over the ranks
        double lr = LearningRate;
        SetTorchLr(lr);
        BeforeTorchStep(lr);
        using (torch.no_grad())
        {
            if (ClipNorm != null || ClipValue != null || GlobalClipNorm != null) ClipGradients();
            if (WeightDecay is double wd && wd > 0 && !AppliesOwnWeightDecay)
                foreach (var v in _variables) v.Value.mul_(1.0 - lr * wd);
        }
        TorchOptimizer.step();
        using (torch.no_grad())
        {
            foreach (var v in _variables)
                if (v.Constraint != null) v.Value.copy_(v.Constraint.Call(v.Value));
        }
        Iterations++;
    }

    private void ClipGradients()
    {
        var grads = new List<Tensor>();
        foreach (var v in _variables)
            if (v.Value.grad is Tensor g) grads.Add(g);
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
        if (TorchOptimizer == null) return;
        foreach (var g in TorchOptimizer.ParamGroups) g.LearningRate = lr;
    }

    /// <summary>The arguments that rebuild this optimizer.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = _schedule is null ? _learningRate : null,
        ["weight_decay"] = WeightDecay, ["clipnorm"] = ClipNorm, ["clipvalue"] = ClipValue, ["global_clipnorm"] = GlobalClipNorm,
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
        TorchOptimizer?.Dispose();
        TorchOptimizer = null;
        GC.SuppressFinalize(this);
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
        return r;
    }
}
