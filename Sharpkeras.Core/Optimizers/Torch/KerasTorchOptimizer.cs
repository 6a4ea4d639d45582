using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// A real <c>torch.optim</c> optimizer (a TorchSharp <see cref="OptimizerHelper"/>: parameter groups, per-parameter
/// state, <c>state_dict</c>/<c>load_state_dict</c>) whose update rule is written with in-place tensor ops, for the
/// Keras optimizers whose formula differs from torch's (e.g. where epsilon sits relative to the square root).
/// Each parameter owns a fixed number of state tensors ("slots") and a step counter. An elementwise rule that
/// overrides <see cref="UpdateWindow"/> keeps its slots and gradients in <see cref="FlatSlots"/> and runs a few
/// operations per window instead of per parameter (as Adam does); <see cref="Update"/> remains its
/// parameter-by-parameter form, used when a weight has no gradient.
/// </summary>
internal abstract class KerasTorchOptimizer : OptimizerHelper
{
    private readonly int _slotCount;
    private readonly List<(FlatSlots Slots, SlotState[] States)> _flat = new();

    /// <summary>
    /// Creates the optimizer with <paramref name="slotCount"/> state tensors per parameter. The derived constructor
    /// sets its hyper-parameters, then calls <see cref="AddParameters"/>.
    /// </summary>
    protected KerasTorchOptimizer(double learningRate, int slotCount)
    {
        if (learningRate < 0 || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learningRate must be finite and >= 0.");
        _slotCount = slotCount;
        _defaults = new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate };
        _parameter_groups = new List<ParamGroup>();
    }

    /// <summary>Adds the parameters as one group with the default options (call once, at the end of the derived constructor).</summary>
    protected void AddParameters(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        add_param_group(new ParamGroup { Parameters = list });
        if (!HasWindowRule) return;
        // The slots move into flat buffers, one per (device, dtype), their initial values copied.
        using var _ = torch.no_grad();
        foreach (var (slots, idx) in FlatSlots.PerDeviceAndType(list, _slotCount))
        {
            var states = idx.Select(i => (SlotState)_state[list[i].Handle]).ToArray();
            for (int i = 0; i < states.Length; i++)
                for (int k = 0; k < _slotCount; k++)
                {
                    slots.SlotView(k, i).copy_(states[i].Get(k));
                    states[i].Get(k).Dispose();
                }
            Bind(slots, states);
            _flat.Add((slots, states));
        }
    }

    private void Bind(FlatSlots slots, SlotState[] states)
    {
        for (int i = 0; i < states.Length; i++)
        {
            for (int k = 0; k < _slotCount; k++) states[i].Set(k, slots.SlotView(k, i));
            states[i].InFlatBuffer = true;
        }
    }

    /// <summary>Whether the rule overrides <see cref="UpdateWindow"/> (decided once, by the type).</summary>
    private bool HasWindowRule =>
        GetType().GetMethod(nameof(UpdateWindow), System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!
            .DeclaringType != typeof(KerasTorchOptimizer);

    /// <summary>
    /// The elementwise rule over one window of the flat buffers: updates <paramref name="slots"/> in place from
    /// <paramref name="grad"/> and writes into <paramref name="delta"/> what is added to the weights. Only rules that
    /// ignore the step count and the weights' values can override it.
    /// </summary>
    /// <param name="grad">The gradients of the window.</param>
    /// <param name="slots">The slot windows, updated in place.</param>
    /// <param name="delta">Receives the change of the weights.</param>
    /// <param name="learningRate">The learning rate of this step.</param>
    protected virtual void UpdateWindow(Tensor grad, Tensor[] slots, Tensor delta, double learningRate) =>
        throw new NotSupportedException($"{GetType().Name} updates parameter by parameter.");

    /// <summary>The initial value of state tensor <paramref name="slot"/> for <paramref name="parameter"/>.</summary>
    protected abstract Tensor InitialSlot(int slot, Parameter parameter);

    /// <summary>Applies one update to <paramref name="parameter"/> in place (runs under no_grad in a dispose scope).</summary>
    /// <param name="parameter">The weight.</param>
    /// <param name="grad">Its gradient.</param>
    /// <param name="slots">Its state tensors, updated in place.</param>
    /// <param name="learningRate">The learning rate of this step.</param>
    /// <param name="step">1 for the first update of this parameter.</param>
    protected abstract void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step);

    /// <summary>The per-parameter state object (an optimizer may name its slots with a subclass of <see cref="SlotState"/>).</summary>
    private protected virtual SlotState CreateState(Parameter parameter) => new SlotState(parameter, this);

    /// <inheritdoc />
    public override void add_param_group(ParamGroup param_group)
    {
        ArgumentNullException.ThrowIfNull(param_group);
        param_group.Options ??= new OptimizerOptions();
        param_group.Options.LearningRate ??= _defaults.LearningRate;
        param_group.Options.InitialLearningRate = param_group.Options.LearningRate!.Value;
        param_group.Parameters = param_group.Parameters.ToList();
        _parameter_groups.Add(param_group);
        foreach (var p in param_group.Parameters)
        {
            var state = CreateState(p);
            state.Initialize(param_group.Options);
            _state[p.Handle] = state;
        }
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        return _step<ParamGroup>(group =>
        {
            double lr = group.Options.LearningRate!.Value;
            // A rule that works on windows holds the whole first group (the one AddParameters made) in flat buffers.
            if (!InFlatBuffers(group))
            {
                StepEach(group.Parameters, lr);
                return;
            }
            foreach (var (slots, states) in _flat)
            {
                if (slots.FollowParameters()) Bind(slots, states);
                if (slots.Splittable && slots.GatherGradients())
                {
                    slots.ApplyWindows(w => UpdateWindow(w.Grad, w.Slots, w.Scratch, lr));
                    foreach (var st in states) st.Step += 1;
                }
                else StepEach(slots.Parameters, lr);
            }
        }, closure);
    }

    private bool InFlatBuffers(ParamGroup group) => _flat.Count > 0 && ReferenceEquals(group, _parameter_groups[0]);

    /// <summary>The parameter-by-parameter step (<see cref="Update"/>); a weight without a gradient is skipped.</summary>
    private void StepEach(IEnumerable<Parameter> parameters, double lr)
    {
        foreach (var p in parameters)
        {
            using var grad = p.grad;
            if (grad is null) continue;
            var state = (SlotState)_state[p.Handle];
            state.Step += 1;
            Update(p, grad, state.SlotArray(), lr, state.Step);
        }
    }

    /// <inheritdoc />
    public override void zero_grad()
    {
        using var _ = torch.no_grad();
        foreach (var (slots, _) in _flat) slots.AttachGradients();
        foreach (var g in _parameter_groups)
        {
            if (InFlatBuffers(g)) continue;
            foreach (var p in g.Parameters)
            {
                using var grad = p.grad;
                grad?.zero_();
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var kv in _state)
            if (kv.Item2 is SlotState s) s.DisposeSlots();
        _state.Clear();
        foreach (var (slots, _) in _flat) slots.Dispose();
        _flat.Clear();
    }

    /// <summary>
    /// Per-parameter state: the step count and up to three slot tensors, kept in public fields so that saving (which reads
    /// and writes an optimizer state's public fields by name) stores them.
    /// </summary>
    internal class SlotState : OptimizerState
    {
        private readonly KerasTorchOptimizer _owner;

        public SlotState(Parameter parameter, KerasTorchOptimizer owner) : base(parameter)
        {
            _owner = owner;
            if (owner._slotCount > 3) throw new ArgumentOutOfRangeException(nameof(owner), owner._slotCount, "At most three slots per parameter.");
        }

        /// <summary>Updates applied to this parameter.</summary>
        public long Step;

        /// <summary>Whether the slots are views of the optimizer's flat buffers (which move them between devices).</summary>
        internal bool InFlatBuffer;

        /// <summary>Slot tensors (null when unused).</summary>
        public Tensor? slot_0, slot_1, slot_2;

        /// <summary>Number of slots.</summary>
        public int Count => _owner._slotCount;

        /// <summary>Reads slot <paramref name="i"/>.</summary>
        public virtual Tensor Get(int i) => (i switch { 0 => slot_0, 1 => slot_1, 2 => slot_2, _ => null })!;

        /// <summary>Writes slot <paramref name="i"/>.</summary>
        public virtual void Set(int i, Tensor? value)
        {
            switch (i) { case 0: slot_0 = value; break; case 1: slot_1 = value; break; default: slot_2 = value; break; }
        }

        public Tensor[] SlotArray()
        {
            var a = new Tensor[Count];
            for (int i = 0; i < a.Length; i++) a[i] = Get(i);
            return a;
        }

        public void DisposeSlots()
        {
            for (int i = 0; i < Count; i++)
            {
                Get(i)?.Dispose();
                Set(i, null);
            }
        }

        public override void Initialize(OptimizerOptions options)
        {
            Step = 0;
            using var _ = torch.no_grad();
            for (int i = 0; i < Count; i++)
            {
                var initial = _owner.InitialSlot(i, _parameter).detach().DetachFromDisposeScope();
                if (InFlatBuffer)
                {
                    Get(i).copy_(initial);
                    initial.Dispose();
                }
                else
                {
                    Get(i)?.Dispose();
                    Set(i, initial);
                }
            }
        }

        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(Step);
            for (int i = 0; i < Count; i++) Get(i).Save(writer);
        }

        public override void LoadStateDict(BinaryReader reader)
        {
            Step = reader.ReadInt64();
            for (int i = 0; i < Count; i++) Get(i).Load(reader);
        }

        public override void LoadStateDict(OptimizerState source)
        {
            if (source is not SlotState other || other.Count != Count)
                throw new ArgumentException("Optimizer state of a different kind.", nameof(source));
            Step = other.Step;
            using var _ = torch.no_grad();
            for (int i = 0; i < Count; i++) Get(i).copy_(other.Get(i));
        }

        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is SlotState s && s.Step == Step && s.Count == Count
            && Enumerable.Range(0, Count).All(i => Get(i).allclose(s.Get(i)));

        public override void to(Device device)
        {
            if (InFlatBuffer) return;
            for (int i = 0; i < Count; i++)
                if (!Engine.DeviceUtils.Same(Get(i).device, device))
                    Set(i, Get(i).to(device, disposeAfter: true).DetachFromDisposeScope());
        }
    }
}
