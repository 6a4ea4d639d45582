using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared machinery of Keras's recurrent layers (<see cref="SimpleRNN"/>, <see cref="LSTM"/>,
/// <see cref="GRU"/>): what Keras's <c>keras.layers.RNN</c> base does for them — sequences
/// (batch, timesteps, features) in, the last output or the whole sequence out, optional final states,
/// initial states, masks, <c>goBackwards</c>, input and recurrent dropout.
/// </summary>
/// <remarks>
/// <para>
/// Computation: libtorch's fused recurrent kernels (cuDNN on CUDA) run the whole sequence, fed with
/// torch-layout weights derived on each call from the Keras-layout variables (so gradients reach them).
/// They apply whenever the layer's configuration is one the kernels compute: LSTM and GRU with
/// <c>activation: "tanh"</c> and <c>recurrentActivation: "sigmoid"</c> (GRU also <c>resetAfter: true</c>),
/// SimpleRNN with "tanh" or "relu", and no recurrent dropout while training. Any other configuration runs
/// Keras's generic per-timestep loop with the same cell equations (no host synchronisation inside it).
/// </para>
/// <para>
/// Masks (from <c>Embedding(maskZero: true)</c>, or passed to <c>Call</c>) follow Keras exactly: a masked
/// step leaves the states unchanged and outputs the previous step's output (zeros before the first
/// unmasked step), or zeros when <see cref="ZeroOutputForMask"/>. Any mask pattern is handled (post-padding,
/// pre-padding, gaps): the unmasked steps of each row are gathered to its front, run through the packed
/// kernel (<c>pack_padded_sequence</c>), and scattered back. This reads the per-row lengths on the host once
/// per call, as packing requires. As in Keras 3 (since 3.13.2), the outputs carry no mask onwards.
/// </para>
/// <para>
/// <c>stateful: true</c> is not supported (NotSupportedException). <c>unroll</c> is accepted for
/// compatibility and does not change results (Keras unrolls only for speed).
/// </para>
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    private readonly Generator? _generator;

    /// <summary>Validates and stores the arguments every recurrent layer shares.</summary>
    private protected RecurrentLayer(int units, double dropout, double recurrentDropout, int? seed, bool returnSequences,
        bool returnState, bool goBackwards, bool stateful, bool unroll, bool zeroOutputForMask, object? activityRegularizer,
        int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string kind = GetType().Name;
        if (units <= 0)
            throw new ArgumentOutOfRangeException(nameof(units), units, $"{kind} '{Name}': units must be a positive integer; got {units}.");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{kind} '{Name}': dropout must be in [0, 1); got {dropout}.");
        if (!(recurrentDropout >= 0 && recurrentDropout < 1))
            throw new ArgumentOutOfRangeException(nameof(recurrentDropout), recurrentDropout,
                $"{kind} '{Name}': recurrentDropout must be in [0, 1); got {recurrentDropout}.");
        if (stateful)
            throw new NotSupportedException(
                $"{kind} '{Name}': stateful = true is not supported; pass the previous batch's final states as initial states instead ([x, h0(, c0)] with returnState: true).");
        Units = units;
        Dropout = dropout;
        RecurrentDropout = recurrentDropout;
        Seed = seed;
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
        Unroll = unroll;
        ZeroOutputForMask = zeroOutputForMask;
        ActivityRegularizerArgument = activityRegularizer;
        ActivityRegularizer = LayerArguments.Regularizer(activityRegularizer, nameof(activityRegularizer));
        if (seed is int s) _generator = new Generator((ulong)s, torch.CPU);
    }

    /// <summary>Dimensionality of the output space (and of each state).</summary>
    public int Units { get; }

    /// <summary>Fraction of the input features dropped while training (one mask per sequence, as in Keras).</summary>
    public double Dropout { get; }

    /// <summary>Fraction of the recurrent state dropped while training (one mask per sequence).</summary>
    public double RecurrentDropout { get; }

    /// <summary>Seed of the dropout masks, if any.</summary>
    public int? Seed { get; }

    /// <summary>Whether the whole output sequence is returned (else only the last output).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether the final states are returned after the output (use <c>ApplyMulti</c>).</summary>
    public bool ReturnState { get; }

    /// <summary>Whether the sequence is processed backwards (the returned sequence is then reversed too, as in Keras).</summary>
    public bool GoBackwards { get; }

    /// <summary>Always false: stateful recurrent layers are not supported.</summary>
    public bool Stateful => false;

    /// <summary>Keras's <c>unroll</c> flag, kept for configs; results do not depend on it.</summary>
    public bool Unroll { get; }

    /// <summary>
    /// Whether masked steps output zeros instead of the previous output (Keras's <c>zero_output_for_mask</c>;
    /// <see cref="Bidirectional"/> sets it to <see cref="ReturnSequences"/> on its layers).
    /// </summary>
    public bool ZeroOutputForMask { get; internal set; }


    private protected object? ActivityRegularizerArgument { get; }

    /// <summary>The number of features of the input sequence (after build).</summary>
    public int InputDim { get; private set; }

    /// <summary>How many states the layer carries (LSTM: h and c; GRU and SimpleRNN: h).</summary>
    public abstract int StateCount { get; }

    /// <summary>How many gate blocks the kernels hold (LSTM 4, GRU 3, SimpleRNN 1): the dropout mask count of Keras's implementation 1.</summary>
    private protected abstract int GateCount { get; }

    /// <summary>Creates the cell's weights for <paramref name="inputDim"/> input features.</summary>
    private protected abstract void BuildCell(int inputDim);

    /// <summary>The fused kernel that computes this configuration ("lstm", "gru", "rnn_tanh", "rnn_relu"), or null.</summary>
    private protected abstract string? FusedKernel { get; }

    /// <summary>The torch-layout parameters [w_ih, w_hh(, b_ih, b_hh)] built from the variables (inside autograd).</summary>
    private protected abstract Tensor[] FusedParameters(ScalarType dtype, Device device);

    /// <summary>Whether <see cref="FusedParameters"/> includes biases.</summary>
    private protected abstract bool FusedHasBiases { get; }

    /// <summary>The input projections of every step, (batch, time, GateCount·units), input dropout applied.</summary>
    private protected abstract Tensor ProjectInputs(Tensor x, Tensor[]? dropoutMasks);

    /// <summary>One step of the cell (Keras's cell <c>call</c>): the output and the new states.</summary>
    private protected abstract (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks);

    /// <summary>A fresh layer with the same arguments but this name and direction (what Bidirectional builds).</summary>
    internal abstract RecurrentLayer CloneWith(string name, bool goBackwards);

    // ------------------------------------------------------------------------------------------ build

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckSequenceShape(inputShape);
        InputDim = inputShape[2]!.Value;
        BuildCell(InputDim);
    }

    /// <summary>Builds from the sequence shape followed by the initial states' shapes ([x, h0(, c0)]).</summary>
    public override void Build(int?[][] inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        CheckStateShapes(inputShapes);
        Build(inputShapes[0]);
    }

    private void CheckSequenceShape(int?[] shape)
    {
        if (shape.Length != 3)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) must have rank 3 (batch, timesteps, features); got shape {ShapeUtils.Format(shape)}.");
        if (shape[2] is not int)
            throw new ArgumentException(
                $"The feature dimension of the input of layer '{Name}' ({GetType().Name}) must be known; got shape {ShapeUtils.Format(shape)}.");
    }

    private void CheckStateShapes(int?[][] shapes)
    {
        if (shapes.Length == 1) return;
        if (shapes.Length != 1 + StateCount)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) takes the sequence alone or with {StateCount} initial state(s) [{StateNames}]; got {shapes.Length} inputs.");
        for (int i = 1; i < shapes.Length; i++)
        {
            var s = shapes[i];
            if (s.Length != 2 || s[1] is int u && u != Units)
                throw new ArgumentException(
                    $"Initial state {i - 1} of layer '{Name}' ({GetType().Name}) must have shape (batch, {Units}); got {ShapeUtils.Format(s)}.");
        }
    }

    private string StateNames => StateCount == 2 ? "x, h0, c0" : "x, h0";

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
        int?[] output = ReturnSequences ? [s[0], s[1], Units] : [s[0], Units];
        var list = new List<(int?[], ScalarType)> { (output, DType) };
        if (ReturnState)
            for (int i = 0; i < StateCount; i++) list.Add(([s[0], Units], DType));
        return list.ToArray();
    }

    // ------------------------------------------------------------------------------------------ call

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != 3 || x.shape[2] != InputDim)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected shape (None, None, {InputDim}), got {ShapeUtils.Format(x.shape)}.");
        if (x.shape[1] == 0)
            throw new ArgumentException($"Input of layer '{Name}' ({GetType().Name}) has no timesteps: got shape {ShapeUtils.Format(x.shape)}.");
        if (inputs.Length == 1) return;
        if (inputs.Length != 1 + StateCount)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) takes the sequence alone or with {StateCount} initial state(s) [{StateNames}]; got {inputs.Length} inputs.");
        for (int i = 1; i < inputs.Length; i++)
        {
            var s = inputs[i];
            if (s.dim() != 2 || s.shape[0] != x.shape[0] || s.shape[1] != Units)
                throw new ArgumentException(
                    $"Initial state {i - 1} of layer '{Name}' ({GetType().Name}) must have shape ({x.shape[0]}, {Units}); got {ShapeUtils.Format(s.shape)}.");
        }
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => CallMulti([inputs], training, null)[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask) => CallMulti([inputs], training, [mask])[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => CallMulti(inputs, training, null)[0];

    /// <summary>
    /// Runs the layer on [x] or [x, h0(, c0)] with the sequence's mask (masks[0], (batch, timesteps)):
    /// returns [output] or, with <see cref="ReturnState"/>, [output, h(, c)].
    /// </summary>
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var x = inputs[0];
        var mask = masks is { Length: > 0 } ? masks[0] : null;
        if (mask is not null && (mask.dim() != 2 || mask.shape[0] != x.shape[0] || mask.shape[1] != x.shape[1]))
            throw new ArgumentException(
                $"The mask given to layer '{Name}' ({GetType().Name}) must have shape ({x.shape[0]}, {x.shape[1]}) (batch, timesteps); got {ShapeUtils.Format(mask.shape)}.",
                nameof(masks));
        var initial = inputs.Length > 1 ? inputs[1..] : null;
        var (sequence, states) = Run(x, initial, mask, training);
        var output = ReturnSequences ? sequence : sequence[.., -1];
        Tensor[] outs = ReturnState ? [output, .. states] : [output];
        return outs;
    }

    /// <summary>The output mask: none (Keras 3 recurrent layers do not propagate masks).</summary>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount) => new Tensor?[outputCount];

    /// <summary>
    /// The whole recurrence. Returns the output sequence in processing order (reversed when
    /// <see cref="GoBackwards"/>), with Keras's masked-step values, and the final states.
    /// </summary>
    private (Tensor sequence, Tensor[] states) Run(Tensor x, Tensor[]? initial, Tensor? mask, bool training)
    {
        long batch = x.shape[0], steps = x.shape[1];
        var states0 = initial?.Select(s => s.to(x.dtype)).ToArray()
                      ?? Enumerable.Range(0, StateCount).Select(_ => torch.zeros([batch, Units], dtype: x.dtype, device: x.device)).ToArray();
        Tensor? m = mask?.to(ScalarType.Bool);
        if (GoBackwards)
        {
            x = x.flip(1);
            m = m?.flip(1);
        }
        bool recurrentDropout = training && RecurrentDropout > 0;
        string? kernel = recurrentDropout ? null : FusedKernel;
        // Keras switches to its per-gate "implementation 1" (one mask per gate) whenever recurrent_dropout != 0.
        int maskCount = RecurrentDropout > 0 ? GateCount : 1;
        Tensor[]? inputMasks = training && Dropout > 0
            ? Enumerable.Range(0, maskCount).Select(_ => DropoutMask(batch, x.shape[2], Dropout, x)).ToArray()
            : null;
        if (kernel is not null) return RunFused(kernel, x, states0, m, inputMasks);

        Tensor[]? recurrentMasks = recurrentDropout
            ? Enumerable.Range(0, maskCount).Select(_ => DropoutMask(batch, Units, RecurrentDropout, x)).ToArray()
            : null;
        var projected = ProjectInputs(x, inputMasks);
        var states = states0;
        var outputs = new Tensor[steps];
        Tensor? previous = null;
        for (long t = 0; t < steps; t++)
        {
            var (o, next) = Step(projected[.., (int)t], states, recurrentMasks);
            if (m is not null)
            {
                var mt = m[.., (int)t].unsqueeze(1);
                previous ??= torch.zeros_like(o);
                o = torch.where(mt, o, ZeroOutputForMask ? torch.zeros_like(o) : previous);
                for (int i = 0; i < next.Length; i++) next[i] = torch.where(mt, next[i], states[i]);
            }
            outputs[t] = o;
            previous = o;
            states = next;
        }
        return (torch.stack(outputs, 1), states);
    }

    private (Tensor sequence, Tensor[] states) RunFused(string kernel, Tensor x, Tensor[] states0, Tensor? mask, Tensor[]? inputMasks)
    {
        if (inputMasks is not null) x = x * inputMasks[0].unsqueeze(1);
        var parameters = FusedParameters(x.dtype, x.device);
        var hx = states0.Select(s => s.unsqueeze(0)).ToArray();
        if (mask is null)
        {
            var r = FusedRnnKernels.Run(kernel, x, hx, parameters, FusedHasBiases);
            return (r[0], r[1..].Select(s => s.squeeze(0)).ToArray());
        }
        long batch = x.shape[0], steps = x.shape[1];
        // Gather each row's unmasked steps to its front (stable sort puts valid steps first, in order).
        var order = mask.logical_not().to(ScalarType.Int32).sort(dim: 1, stable: true).Indices;
        var compact = x.gather(1, order.unsqueeze(-1).expand(batch, steps, x.shape[2]));
        var lengths = mask.sum(1, type: ScalarType.Int64);
        var lengthsCpu = lengths.cpu().clamp_min(1); // packing needs host lengths; empty rows are fixed below
        var res = FusedRnnKernels.RunPacked(kernel, compact, lengthsCpu, hx, parameters, FusedHasBiases);
        var hasAny = lengths.gt(0).unsqueeze(1);
        var states = res[1..].Select((s, i) => torch.where(hasAny, s.squeeze(0), states0[i])).ToArray();
        // Output at step t = output after the last unmasked step at or before t (zeros if none yet).
        var position = mask.cumsum(1, ScalarType.Int64).sub(1);
        var sequence = res[0].gather(1, position.clamp_min(0).unsqueeze(-1).expand(batch, steps, Units));
        var keep = position.ge(0);
        if (ZeroOutputForMask) keep = keep.logical_and(mask);
        sequence = torch.where(keep.unsqueeze(-1), sequence, torch.zeros_like(sequence));
        return (sequence, states);
    }

    private Tensor DropoutMask(long batch, long features, double rate, Tensor like)
    {
        var u = _generator is null
            ? torch.rand([batch, features], dtype: like.dtype, device: like.device)
            : torch.rand([batch, features], generator: _generator, dtype: like.dtype).to(like.device);
        return u.ge(rate).to(like.dtype).div_(1.0 - rate);
    }

    // ------------------------------------------------------------------------------------------ helpers for cells

    /// <summary>x · kernel (+ bias) for all steps; with one mask per gate block, each block sees its own masked input.</summary>
    private protected static Tensor Project(Tensor x, Tensor kernel, Tensor? bias, Tensor[]? masks, int blocks)
    {
        Tensor y;
        if (masks is null) y = x.matmul(kernel);
        else if (masks.Length == 1) y = (x * masks[0].unsqueeze(1)).matmul(kernel);
        else
        {
            var parts = kernel.chunk(blocks, 1);
            y = torch.cat(parts.Select((k, g) => (x * masks[g].unsqueeze(1)).matmul(k)).ToArray(), -1);
        }
        return bias is null ? y : y.add(bias);
    }

    /// <summary>h · recurrentKernel; with one mask per gate block, each block sees its own masked state.</summary>
    private protected static Tensor ProjectState(Tensor h, Tensor recurrentKernel, Tensor[]? masks, int blocks)
    {
        if (masks is null) return h.matmul(recurrentKernel);
        if (masks.Length == 1) return (h * masks[0]).matmul(recurrentKernel);
        var parts = recurrentKernel.chunk(blocks, 1);
        return torch.cat(parts.Select((k, g) => (h * masks[g]).matmul(k)).ToArray(), -1);
    }

    /// <summary>Keras layout (…, [z | r | h]) → torch GRU layout (…, [r | z | n]) along the last axis.</summary>
    private protected static Tensor SwapFirstTwoBlocks(Tensor t, int units)
    {
        var a = t.narrow(-1, 0, units);
        var b = t.narrow(-1, units, units);
        var rest = t.narrow(-1, 2 * units, t.shape[^1] - 2 * units);
        return torch.cat([b, a, rest], -1);
    }

    // ------------------------------------------------------------------------------------------ config

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        c["activity_regularizer"] = LayerArguments.Describe(ActivityRegularizerArgument);
        c["dropout"] = Dropout;
        c["recurrent_dropout"] = RecurrentDropout;
        c["seed"] = Seed;
        c["return_sequences"] = ReturnSequences;
        c["return_state"] = ReturnState;
        c["go_backwards"] = GoBackwards;
        c["stateful"] = Stateful;
        c["unroll"] = Unroll;
        c["zero_output_for_mask"] = ZeroOutputForMask;
        return c;
    }
}
