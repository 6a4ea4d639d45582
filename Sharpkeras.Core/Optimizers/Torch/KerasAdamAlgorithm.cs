using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's Adam update, as a <c>torch.optim</c> optimizer whose moments live in <see cref="FlatSlots"/>:
/// with t the step (Keras's <c>iterations + 1</c>), α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ),
/// m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂), v̂ ← max(v̂, v) with AMSGrad, and
/// w ← w − α·m/(√v + ε) — epsilon outside the square root and before the bias correction ("epsilon hat"), as Keras
/// writes it. <c>zero_grad()</c> points every weight's gradient into the flat gradient buffer, so the step updates the
/// moments over whole windows of the flat buffers and each weight by one <c>addcdiv_</c> per piece. As with torch's
/// optimizers after <c>zero_grad()</c>, a weight the loss does not reach has a zero gradient (its moments decay);
/// a weight whose gradient is none (a custom train step that clears gradients to none, or never calls
/// <c>ZeroGrad</c>, and does not reach it) is skipped, as Keras skips it.
/// The per-weight <see cref="State"/> exposes <c>step</c>, <c>exp_avg</c>, <c>exp_avg_sq</c> and
/// <c>max_exp_avg_sq</c> — the names of torch's Adam state, which saving reads and writes.
/// </summary>
internal sealed class KerasAdamAlgorithm : OptimizerHelper
{
    private readonly double _beta1, _beta2, _epsilon;
    private readonly bool _amsgrad;
    private readonly List<(FlatSlots Slots, State[] States)> _groups = new();

    /// <summary>Creates the optimizer for <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The weights, in the optimizer's order.</param>
    /// <param name="learningRate">The initial learning rate.</param>
    /// <param name="beta1">Decay of the first moment.</param>
    /// <param name="beta2">Decay of the second moment.</param>
    /// <param name="epsilon">Keras's epsilon hat.</param>
    /// <param name="amsgrad">Keep the maximum of the second moments.</param>
    public KerasAdamAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, bool amsgrad)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (learningRate < 0 || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learningRate must be finite and >= 0.");
        _beta1 = beta1; _beta2 = beta2; _epsilon = epsilon; _amsgrad = amsgrad;
        _defaults = new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate };
        _parameter_groups = new List<ParamGroup>();
        var list = parameters.ToList();
        _parameter_groups.Add(new ParamGroup { Parameters = list, Options = new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate } });
        var states = list.Select(p => new State(p)).ToArray();
        for (int i = 0; i < list.Count; i++) _state[list[i].Handle] = states[i];
        foreach (var (slots, idx) in FlatSlots.PerDeviceAndType(list, amsgrad ? 3 : 2))
        {
            var groupStates = idx.Select(i => states[i]).ToArray();
            _groups.Add((slots, groupStates));
            Bind(slots, groupStates);
        }
    }

    private void Bind(FlatSlots slots, State[] states)
    {
        for (int i = 0; i < states.Length; i++)
        {
            states[i].exp_avg = slots.SlotView(0, i);
            states[i].exp_avg_sq = slots.SlotView(1, i);
            states[i].max_exp_avg_sq = _amsgrad ? slots.SlotView(2, i) : null;
        }
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            double lr = group.Options.LearningRate!.Value;
            long t = 1;
            foreach (var (_, states) in _groups) foreach (var s in states) t = Math.Max(t, s.step + 1);
            double alpha = lr * Math.Sqrt(1 - Math.Pow(_beta2, t)) / (1 - Math.Pow(_beta1, t));
            foreach (var (slots, states) in _groups)
            {
                if (slots.FollowParameters()) Bind(slots, states);
                if (slots.Splittable && slots.GatherGradients())
                {
                    slots.ApplyWindows(w => Moments(w.Slots, w.Grad, w.Scratch),
                        (weights, piece) => weights.addcdiv_(piece.Slots[0], piece.Scratch, value: -alpha));
                    foreach (var st in states) st.step = t;
                }
                else
                {
                    // Some weight has no gradient (not reached by this loss) or a sparse one: weight by weight.
                    for (int i = 0; i < states.Length; i++)
                    {
                        var p = slots.Parameters[i];
                        using var grad = p.grad;
                        if (grad is null) continue;
                        var g = grad.is_sparse ? grad.to_dense() : grad;
                        var m = new Tensor[_amsgrad ? 3 : 2];
                        for (int k = 0; k < m.Length; k++) m[k] = slots.SlotView(k, i);
                        using var denominator = slots.ScratchFor(i);
                        Moments(m, g.dtype == p.dtype ? g : g.to(p.dtype), denominator);
                        p.addcdiv_(m[0], denominator, value: -alpha);
                        states[i].step = t;
                    }
                }
            }
        }, closure);
    }

    /// <summary>Updates the moments from <paramref name="g"/> and leaves √v + ε in <paramref name="denominator"/>.</summary>
    private void Moments(Tensor[] slots, Tensor g, Tensor denominator)
    {
        var m = slots[0];
        var v = slots[1];
        m.lerp_(g, 1 - _beta1);
        v.mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
        if (_amsgrad)
        {
            using var max = torch.maximum(slots[2], v);
            slots[2].copy_(max);
            v = slots[2];
        }
        // √v as 1/(1/√v): libtorch runs sqrt through its vectorised math library, which goes parallel above 2,048
        // elements (an OpenMP wake-up per call); rsqrt and reciprocal stay on this thread below the usual grain.
        denominator.copy_(v).rsqrt_().reciprocal_().add_(_epsilon);
    }

    /// <inheritdoc />
    public override void zero_grad()
    {
        using var _ = torch.no_grad();
        foreach (var (slots, _) in _groups) slots.AttachGradients();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var (slots, _) in _groups) slots.Dispose();
        _groups.Clear();
        _state.Clear();
    }

    /// <summary>
    /// One weight's state: its step count and views of its moments in the flat buffers (public fields, in torch's
    /// order and with torch's names, so that saving stores them as it stores torch's Adam state).
    /// </summary>
    internal sealed class State : OptimizerState
    {
        public State(Parameter parameter) : base(parameter) { }

        /// <summary>Updates applied to this weight.</summary>
        public long step;

        /// <summary>The first moment m (a view of the flat buffer).</summary>
        public Tensor? exp_avg;

        /// <summary>The second moment v (a view of the flat buffer).</summary>
        public Tensor? exp_avg_sq;

        /// <summary>The maximum of the second moments (AMSGrad only).</summary>
        public Tensor? max_exp_avg_sq;

        private IEnumerable<Tensor> Tensors() => new[] { exp_avg, exp_avg_sq, max_exp_avg_sq }.OfType<Tensor>();

        public override void Initialize(OptimizerOptions options)
        {
            step = 0;
            using var _ = torch.no_grad();
            foreach (var t in Tensors()) t.zero_();
        }

        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(step);
            foreach (var t in Tensors()) t.Save(writer);
        }

        public override void LoadStateDict(BinaryReader reader)
        {
            step = reader.ReadInt64();
            foreach (var t in Tensors()) t.Load(reader);
        }

        public override void LoadStateDict(OptimizerState source)
        {
            if (source is not State other || other.max_exp_avg_sq is null != max_exp_avg_sq is null)
                throw new ArgumentException("Optimizer state of a different kind.", nameof(source));
            step = other.step;
            using var _ = torch.no_grad();
            foreach (var (a, b) in Tensors().Zip(other.Tensors())) a.copy_(b);
        }

        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State s && s.step == step && Tensors().Zip(s.Tensors()).All(p => p.First.allclose(p.Second));
    }
}
