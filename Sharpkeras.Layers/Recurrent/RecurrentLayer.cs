using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The machinery of Keras's <c>keras.layers.RNN</c>, shared by <see cref="RNN"/> and the layers built on it
/// (<see cref="SimpleRNN"/>, <see cref="LSTM"/>, <see cref="GRU"/>): runs a <see cref="RNNCell"/> over sequences
/// (batch, timesteps, features…), returning the last output or the whole sequence, optionally the final states;
/// takes initial states, masks, <c>goBackwards</c>, <c>stateful</c>. States have the shapes the cell's
/// <see cref="RNNCell.ComputeStateShapes"/> gives: (batch, size) for most cells, (batch, rows, cols, filters) for
/// <see cref="ConvLSTMCell"/>.
/// </summary>
/// <remarks>
/// <para>
/// Computation: for the built-in cells (<see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>)
/// libtorch's fused recurrent kernels (cuDNN on CUDA) run the whole sequence, fed with torch-layout weights
/// derived on each call from the Keras-layout variables (so gradients reach them). They apply whenever the
/// cell's configuration is one the kernels compute: LSTM and GRU with <c>activation: "tanh"</c> and
/// <c>recurrentActivation: "sigmoid"</c> (GRU also <c>resetAfter: true</c>), SimpleRNN with "tanh" or "relu",
/// and no recurrent dropout while training. Otherwise — and for any other cell, including user cells and
/// <see cref="StackedRNNCells"/> — Keras's per-timestep loop runs the cell's step (no host synchronisation
/// inside it).
/// </para>
/// <para>
/// Masks (from <c>Embedding(maskZero: true)</c>, or passed to <c>Call</c>) follow Keras exactly: a masked
/// step leaves the states unchanged and outputs the previous step's output (zeros before the first
/// unmasked step), or zeros when <see cref="ZeroOutputForMask"/>. Any mask pattern is handled (post-padding,
/// pre-padding, gaps). With a fused kernel a masked batch costs about as much as an unmasked one: the unmasked
/// steps of each row are gathered to its front and the kernel runs over the whole length, carrying the states
/// exactly through the trailing padding (see <c>RunFusedMasked</c>); no host synchronisation, no packing. As in Keras 3 (since 3.13.2),
/// the outputs carry no mask onwards.
/// </para>
/// <para>
/// <c>stateful: true</c> keeps the final states of each batch as the initial states of the next (sample i of
/// a batch continues sample i of the previous batch; every batch must have the same size) until
/// <see cref="ResetStates"/>. The kept states are detached: gradients do not flow across batches.
/// <c>unroll</c> is accepted for compatibility and does not change results (Keras unrolls only for speed).
/// </para>
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    private readonly RNNCell _cell;
    private Tensor[]? _states;
    private int?[]? _stepShape;

    /// <summary>Validates and stores the arguments of Keras's RNN.</summary>
    private protected RecurrentLayer(RNNCell cell, bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll,
        bool zeroOutputForMask, object? activityRegularizer, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var sizes = cell.StateSize;
        if (sizes is null || sizes.Length == 0 || sizes.Any(s => s <= 0))
            throw new ArgumentException(
                $"{GetType().Name} '{Name}': the cell '{cell.Name}' ({cell.GetType().Name}) must have at least one state and positive state sizes; " +
                $"got StateSize [{(sizes is null ? "null" : string.Join(", ", sizes))}].", nameof(cell));
        if (cell.OutputSize <= 0)
            throw new ArgumentException(
                $"{GetType().Name} '{Name}': the cell '{cell.Name}' ({cell.GetType().Name}) must have a positive OutputSize; got {cell.OutputSize}.", nameof(cell));
        _cell = TrackLayer(cell);
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
        Stateful = stateful;
        Unroll = unroll;
        ZeroOutputForMask = zeroOutputForMask;
        ActivityRegularizerArgument = activityRegularizer;
        ActivityRegularizer = LayerArguments.Regularizer(activityRegularizer, nameof(activityRegularizer));
    }

    /// <summary>The cell run at every timestep.</summary>
    public RNNCell Cell => _cell;

    /// <summary>Whether the whole output sequence is returned (else only the last output).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the final states are returned after the output (use <c>ApplyMulti</c>).</summary>
    public bool ReturnState { get; }

    /// <summary>Whether the sequence is processed backwards (the returned sequence is then reversed too, as in Keras).</summary>
    public bool GoBackwards { get; }

    /// <summary>Whether each batch starts from the previous batch's final states (see <see cref="ResetStates"/>).</summary>
    public bool Stateful { get; }

    /// <summary>Keras's <c>unroll</c> flag, kept for configs; results do not depend on it.</summary>
    public bool Unroll { get; }

    /// <summary>
    /// Whether masked steps output zeros instead of the previous output (Keras's <c>zero_output_for_mask</c>;
    /// <see cref="Bidirectional"/> sets it to <see cref="ReturnSequences"/> on its layers).
    /// </summary>
    public bool ZeroOutputForMask { get; internal set; }


    private protected object? ActivityRegularizerArgument { get; }

    /// <summary>The length of the input sequence's last axis, its features (after build).</summary>
    public int InputDim { get; private set; }

    /// <summary>How many states the layer carries (LSTM: h and c; GRU and SimpleRNN: h).</summary>
    public int StateCount => _cell.StateSize.Length;

    /// <summary>The states kept between batches by a stateful layer (null before its first batch or when not stateful).</summary>
    public IReadOnlyList<Tensor>? States => _states;

    /// <summary>
    /// Sets the kept states of a stateful layer back to zeros (Keras's <c>reset_states</c>): the next batch
    /// starts new sequences. Does nothing before the first batch.
    /// </summary>
    public void ResetStates()
    {
        if (!Stateful)
            throw new InvalidOperationException($"Layer '{Name}' ({GetType().Name}) is not stateful: ResetStates applies to layers created with stateful: true.");
        if (_states is null) return;
        var old = _states;
        using (torch.no_grad())
            _states = old.Select(s => torch.zeros_like(s).DetachFromDisposeScope()).ToArray();
        foreach (var t in old) t.Dispose();
    }

    // ------------------------------------------------------------------------------------------ build

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckSequenceShape(inputShape);
        InputDim = inputShape[^1]!.Value;
        _stepShape = inputShape[2..];
        _cell.EnsureBuilt([[inputShape[0], .. inputShape[2..]]]);
    }

    /// <summary>Builds from the sequence shape followed by the initial states' shapes ([x, h0(, c0)]).</summary>
    /// <param name="inputShapes">The sequence's shape (batch, timesteps, features), then the initial states' shapes (batch, units).</param>
    public override void Build(int?[][] inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        CheckStateShapes(inputShapes);
        Build(inputShapes[0]);
    }

    private void CheckSequenceShape(int?[] shape)
    {
        int? rank = _cell.StepRank + 1;
        if (rank is int r ? shape.Length != r : shape.Length < 3)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) must have rank {rank?.ToString() ?? "3 or more"} " +
                $"{(rank is null or 3 ? "(batch, timesteps, features)" : "(batch, timesteps, features…)")}; got shape {ShapeUtils.Format(shape)}.");
        if (shape[^1] is not int)
            throw new ArgumentException(
                $"The feature dimension of the input of layer '{Name}' ({GetType().Name}) must be known; got shape {ShapeUtils.Format(shape)}.");
    }

    private void CheckStateShapes(int?[][] shapes)
    {
        if (shapes.Length == 1) return;
        var expected = _cell.ComputeStateShapes(StepShape(shapes[0]));
        if (shapes.Length != 1 + expected.Length)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) takes the sequence alone or with {expected.Length} initial state(s) [{StateNames}]; got {shapes.Length} inputs.");
        for (int i = 1; i < shapes.Length; i++)
        {
            var s = shapes[i];
            var e = expected[i - 1];
            if (s.Length != e.Length || s.Where((d, k) => k > 0 && d is int n && e[k] is int m && n != m).Any())
                throw new ArgumentException(
                    $"Initial state {i - 1} of layer '{Name}' ({GetType().Name}) must have shape {ShapeUtils.Format(e)}; got {ShapeUtils.Format(s)}.");
        }
    }

    /// <summary>The shape of one step of a sequence shape: (batch, features…) without the time axis.</summary>
    private static int?[] StepShape(int?[] sequence) => [sequence[0], .. sequence[2..]];

    private string StateNames => _cell switch
    {
        LSTMCell or ConvLSTMCell => "x, h0, c0",
        DropoutRNNCell => "x, h0",
        _ => "x, " + string.Join(", ", Enumerable.Range(0, StateCount).Select(i => $"state{i}")),
    };

    // ------------------------------------------------------------------------------------------ shapes

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => ComputeOutputShapes([inputShape], [DType])[0].shape;

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        CheckSequenceShape(inputShapes[0]);
        CheckStateShapes(inputShapes);
        var s = inputShapes[0];
        var step = _cell.ComputeOutputShape(StepShape(s));
        int?[] output = ReturnSequences ? [s[0], s[1], .. step[1..]] : step;
        var list = new List<(int?[], ScalarType)> { (output, DType) };
        if (ReturnState)
            foreach (var state in _cell.ComputeStateShapes(StepShape(s))) list.Add((state, DType));
        return list.ToArray();
    }

    // ------------------------------------------------------------------------------------------ call

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        var step = _stepShape!;
        bool fits = x.dim() == 2 + step.Length;
        for (int i = 0; fits && i < step.Length; i++) fits = step[i] is not int d || x.shape[2 + i] == d;
        if (!fits)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected shape {ShapeUtils.Format([null, null, .. step])}, got {ShapeUtils.Format(x.shape)}.");
        if (x.shape[1] == 0)
            throw new ArgumentException($"Input of layer '{Name}' ({GetType().Name}) has no timesteps: got shape {ShapeUtils.Format(x.shape)}.");
        if (inputs.Length == 1) return;
        var expected = ExpectedStateShapes(x);
        if (inputs.Length != 1 + expected.Length)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) takes the sequence alone or with {expected.Length} initial state(s) [{StateNames}]; got {inputs.Length} inputs.");
        for (int i = 1; i < inputs.Length; i++)
        {
            var s = inputs[i];
            if (!RNNCell.Fits(s.shape, expected[i - 1]))
                throw new ArgumentException(
                    $"Initial state {i - 1} of layer '{Name}' ({GetType().Name}) must have shape {ShapeUtils.Format(expected[i - 1])}; got {ShapeUtils.Format(s.shape)}.");
        }
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => CallMulti([inputs], training, null)[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask) => CallMulti([inputs], training, [mask])[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => CallMulti(inputs, training, null)[0];

    /// <summary>
    /// Runs the layer on [x] or [x, initial states…] with the sequence's mask (masks[0], (batch, timesteps)):
    /// returns [output] or, with <see cref="ReturnState"/>, [output, final states…].
    /// </summary>
    /// <param name="inputs">[x] or [x, initial states…]: x is (batch, timesteps, features); each state is (batch, units).</param>
    /// <param name="training">True during training (enables <c>dropout</c> and <c>recurrentDropout</c>).</param>
    /// <param name="masks">The inputs' masks; masks[0] is the sequence's (batch, timesteps) mask (masked steps keep the previous state and output), or null.</param>
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var x = inputs[0];
        var mask = masks is { Length: > 0 } ? masks[0] : null;
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != x.shape[0] || mask.shape[1] != x.shape[1]))
            throw new ArgumentException(
                $"The mask given to layer '{Name}' ({GetType().Name}) must have shape ({x.shape[0]}, {x.shape[1]}) (batch, timesteps); got {ShapeUtils.Format(mask.shape)}.",
                nameof(masks));
        var initial = inputs.Length > 1 ? inputs[1..] : Stateful ? KeptStates(x) : null;
        var (sequence, states) = Run(x, initial, mask, training);
        if (Stateful) KeepStates(states);
        var output = ReturnSequences ? sequence : sequence[.., -1];
        Tensor[] outs = ReturnState ? [output, .. states] : [output];
        return outs;
    }

    /// <summary>The kept states of a stateful layer for this batch (zeros at first).</summary>
    private Tensor[] KeptStates(Tensor x)
    {
        long batch = x.shape[0];
        if (_states is null)
        {
            using (torch.no_grad())
                _states = _cell.GetInitialState(batch, x.dtype, x.device).Select(s => s.detach().DetachFromDisposeScope()).ToArray();
        }
        else if (_states[0].shape[0] != batch)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) is stateful, so every batch must have the batch size of the first one ({_states[0].shape[0]}); " +
                $"got {batch}. Use a fixed batch size (drop the last partial batch) or call ResetStates() after creating a new layer.");
        else if (_states[0].device != x.device || _states[0].dtype != x.dtype)
        {
            var old = _states;
            using (torch.no_grad())
                _states = old.Select(s => s.to(x.dtype, x.device).DetachFromDisposeScope()).ToArray();
            foreach (var t in old) t.Dispose();
        }
        return _states.Select(s => s.alias()).ToArray();
    }

    private void KeepStates(Tensor[] states)
    {
        var old = _states;
        using (torch.no_grad())
            _states = states.Select(s => s.detach().clone().DetachFromDisposeScope()).ToArray();
        if (old is not null && !ReferenceEquals(old, states))
            foreach (var t in old) t.Dispose();
    }

    /// <summary>
    /// The output mask (Keras's <c>RNN.compute_mask</c>): with <c>returnSequences</c> the sequence keeps the input's
    /// timestep mask, so a loss on every timestep skips the padding; the last output and the states have none.
    /// (Keras 3 also marks RNN layers as not supporting masks, which drops it; Sharpkeras propagates it as tf.keras
    /// did, so masked sequence-to-sequence losses work.)
    /// </summary>
    /// <param name="inputs">The sequence.</param>
    /// <param name="mask">The sequence's (batch, timesteps) mask, or null.</param>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var result = new Tensor?[outputCount];
        if (ReturnSequences && outputCount > 0) result[0] = masks?[0];
        return result;
    }

    /// <summary>
    /// The whole recurrence. Returns the output sequence in processing order (reversed when
    /// <see cref="GoBackwards"/>), with Keras's masked-step values, and the final states.
    /// </summary>
    private (Tensor sequence, Tensor[] states) Run(Tensor x, Tensor[]? initial, Tensor? mask, bool training)
    {
        long batch = x.shape[0];
        var states0 = initial?.Select(s => s.to(x.dtype)).ToArray() ?? _cell.GetInitialState(batch, x.dtype, x.device);
        CheckCellStates(states0, x, "GetInitialState");
        Tensor? m = mask?.to(ScalarType.Bool);
        if (GoBackwards)
        {
            x = x.flip(1);
            m = m?.flip(1);
        }
        _cell.ResetDropoutMasks();
        if (_cell is not DropoutRNNCell cell)
            return Loop(x.shape[1], states0, m, (t, s) =>
            {
                var r = _cell.Call(x[.., (int)t], s, training);
                CheckCellStates(r.states, x, "Call");
                return r;
            });
        var inputMasks = cell.InputMasks(x.select(1, 0), training);
        bool recurrentDropout = training && cell.RecurrentDropout > 0;
        string? kernel = recurrentDropout ? null : cell.FusedKernel;
        if (kernel is not null) return RunFused(cell, kernel, x, states0, m, inputMasks);
        var recurrentMasks = cell.RecurrentMasks(states0[0], training);
        var projected = cell.ProjectInputs(x, inputMasks);
        return Loop(x.shape[1], states0, m, (t, s) => cell.Step(projected[.., (int)t], s, recurrentMasks));
    }

    /// <summary>The shapes the states of a batch of sequences <paramref name="x"/> must have (batch included).</summary>
    private int?[][] ExpectedStateShapes(Tensor x) => _cell.ComputeStateShapes([(int)x.shape[0], .. x.shape[2..].Select(d => (int?)(int)d)]);

    private void CheckCellStates(Tensor[] states, Tensor x, string what)
    {
        var expected = ExpectedStateShapes(x);
        if (states.Length != expected.Length || states.Where((s, i) => !RNNCell.Fits(s.shape, expected[i])).Any())
            throw new InvalidOperationException(
                $"Cell '{_cell.Name}' ({_cell.GetType().Name}) of layer '{Name}': {what} gave states [{string.Join(", ", states.Select(s => ShapeUtils.Format(s.shape)))}]; " +
                $"its StateSize [{string.Join(", ", _cell.StateSize)}] asks for {expected.Length} state(s) of shape{(expected.Length > 1 ? "s" : "")} " +
                $"[{string.Join(", ", expected.Select(ShapeUtils.Format))}].");
    }

    /// <summary>Keras's per-timestep loop: masked steps keep the states and repeat the previous output (or zeros).</summary>
    private (Tensor sequence, Tensor[] states) Loop(long steps, Tensor[] states0, Tensor? m, Func<long, Tensor[], (Tensor output, Tensor[] states)> step)
    {
        var states = states0;
        var outputs = new Tensor[steps];
        Tensor? previous = null;
        for (long t = 0; t < steps; t++)
        {
            var (o, next) = step(t, states);
            if (m is not null)
            {
                var mt = m[.., (int)t];
                Tensor Over(Tensor like) => mt.view([mt.shape[0], .. Enumerable.Repeat(1L, (int)like.dim() - 1)]);
                previous ??= torch.zeros_like(o);
                o = torch.where(Over(o), o, ZeroOutputForMask ? torch.zeros_like(o) : previous);
                next = next.Select((s, i) => torch.where(Over(s), s, states[i])).ToArray();
            }
            outputs[t] = o;
            previous = o;
            states = next;
        }
        return (torch.stack(outputs, 1), states);
    }

    private (Tensor sequence, Tensor[] states) RunFused(DropoutRNNCell cell, string kernel, Tensor x, Tensor[] states0, Tensor? mask, Tensor[]? inputMasks)
    {
        if (inputMasks is not null) x = x * inputMasks[0].unsqueeze(1);
        var parameters = cell.FusedParameters(x.dtype, x.device);
        var hx = states0.Select(s => s.unsqueeze(0)).ToArray();
        if (mask is null)
        {
            var r = FusedRnnKernels.Run(kernel, x, hx, parameters, cell.FusedHasBiases);
            return (r[0], r[1..].Select(s => s.squeeze(0)).ToArray());
        }
        return RunFusedMasked(cell, kernel, x, states0, hx, parameters, mask);
    }

    /// <summary>
    /// A masked sequence through the fused kernel, with no host synchronisation and no packing: each row's unmasked
    /// steps are gathered to its front (a stable sort; right-padded rows are unchanged), the remaining "padding" steps
    /// get zero input and an extra input feature that saturates the gates so the kernel carries the states through
    /// them exactly — LSTM: input gate σ(−∞)=0 and forget gate σ(+∞)=1, so c passes unchanged; GRU: update gate
    /// σ(+∞)=1, so h passes unchanged (the saturated gates also pass no gradient). The final h is the output after
    /// each row's last unmasked step (gathered), and the outputs are scattered back to Keras's masked-step values.
    /// </summary>
    private (Tensor sequence, Tensor[] states) RunFusedMasked(DropoutRNNCell cell, string kernel, Tensor x, Tensor[] states0, Tensor[] hx,
        Tensor[] parameters, Tensor mask)
    {
        long batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
        int units = cell.Units;
        var order = mask.logical_not().to(ScalarType.Int32).sort(dim: 1, stable: true).Indices;
        var lengths = mask.sum(1, type: ScalarType.Int64);
        var padding = torch.arange(steps, device: x.device).unsqueeze(0).ge(lengths.unsqueeze(1)); // (batch, steps): past each row's length
        var compact = x.gather(1, order.unsqueeze(-1).expand(batch, steps, features));
        compact = torch.where(padding.unsqueeze(-1), torch.zeros_like(compact), compact);
        bool gated = kernel is "lstm" or "gru";
        if (gated)
        {
            // Saturation large enough for any realistic pre-activation, small enough for float16 (exp(-1e4) is exactly 0).
            const double Big = 1e4;
            Tensor Fill(long n, double v) => torch.full([n], v, dtype: x.dtype, device: x.device);
            var column = kernel == "lstm"
                ? torch.cat([Fill(units, -Big), Fill(units, Big), Fill(2L * units, 0)])   // gates i, f, g, o: input → 0, forget → 1
                : torch.cat([Fill(units, 0), Fill(units, Big), Fill(units, 0)]);          // torch GRU order r, z, n: update → 1
            column = column.unsqueeze(1);
            parameters = [torch.cat([parameters[0], column], 1), .. parameters[1..]];
            compact = torch.cat([compact, padding.unsqueeze(-1).to(x.dtype)], -1);
        }
        var res = FusedRnnKernels.Run(kernel, compact, hx, parameters, cell.FusedHasBiases);
        var outputs = res[0];
        var hasAny = lengths.gt(0).unsqueeze(1);
        var last = outputs.gather(1, (lengths - 1).clamp_min(0).view(batch, 1, 1).expand(batch, 1, units)).squeeze(1);
        var h = torch.where(hasAny, last, states0[0]);
        Tensor[] states = kernel == "lstm" ? [h, res[2].squeeze(0)] : [h];
        // Output at step t = output after the last unmasked step at or before t (zeros if none yet).
        var position = mask.cumsum(1, ScalarType.Int64).sub(1);
        var sequence = outputs.gather(1, position.clamp_min(0).unsqueeze(-1).expand(batch, steps, units));
        var keep = position.ge(0);
        if (ZeroOutputForMask) keep = keep.logical_and(mask);
        sequence = torch.where(keep.unsqueeze(-1), sequence, torch.zeros_like(sequence));
        return (sequence, states);
    }

    // ------------------------------------------------------------------------------------------ copies and config

    /// <summary>A fresh layer with the same arguments but this name and direction (what Bidirectional builds).</summary>
    internal abstract RecurrentLayer CloneWith(string name, bool goBackwards);

    /// <summary>Writes Keras's RNN arguments (not the cell) into <paramref name="c"/>.</summary>
    private protected void WriteRnnConfig(Dictionary<string, object?> c)
    {
        c["return_sequences"] = ReturnSequences;
        c["return_state"] = ReturnState;
        c["go_backwards"] = GoBackwards;
        c["stateful"] = Stateful;
        c["unroll"] = Unroll;
        c["zero_output_for_mask"] = ZeroOutputForMask;
    }
}
