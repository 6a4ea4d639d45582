using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// What the built-in cells (<see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>,
/// <see cref="ConvLSTMCell"/>) share, after Keras's <c>DropoutRNNCell</c>: <c>units</c>, an activation, a kernel, a
/// recurrent kernel and a bias (each with its <see cref="WeightSpec"/>), and input/recurrent dropout with one mask
/// per sequence.
/// </summary>
/// <remarks>
/// Dropout (training only) multiplies the step input by a mask of its shape drawn once per sequence (and the
/// previous state by another, for <c>recurrentDropout</c>); with <c>recurrentDropout</c> &gt; 0 each gate block gets
/// its own masks (Keras's "implementation 1"; <see cref="ConvLSTMCell"/> always has one per gate, as in Keras).
/// <see cref="RNN"/> resets the masks before every sequence. The dense cells' weights are in Keras's layout:
/// <c>kernel</c> (inputDim, gates·units), <c>recurrent_kernel</c> (units, gates·units), <c>bias</c>; their input
/// projection x·kernel is computed for all timesteps at once, and <see cref="RNN"/> feeds them to libtorch's fused
/// kernels when their configuration allows (see <see cref="RecurrentLayer"/>).
/// </remarks>
public abstract class DropoutRNNCell : RNNCell
{
    private readonly Generator? _generator;
    private Tensor[]? _inputMasks;
    private Tensor[]? _recurrentMasks;
    private KerasVariable? _kernel;
    private KerasVariable? _recurrentKernel;
    private KerasVariable? _bias;
    private int?[]? _stepShape;
    private readonly Func<Tensor, Tensor> _activation;

    // units: the output and state size (a ConvLSTMCell's filters), named unitsArgument ("units", "filters") in error messages.
    private protected DropoutRNNCell(int units, string? activation, bool useBias, object? kernelInitializer, object? recurrentInitializer,
        object? biasInitializer, object? kernelRegularizer, object? recurrentRegularizer, object? biasRegularizer,
        object? kernelConstraint, object? recurrentConstraint, object? biasConstraint, double dropout, double recurrentDropout,
        int? seed, string? name, string unitsArgument = "units")
        : base(name)
    {
        string kind = GetType().Name;
        if (units <= 0)
            throw new ArgumentOutOfRangeException(unitsArgument, units, $"{kind} '{Name}': {unitsArgument} must be a positive integer; got {units}.");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{kind} '{Name}': dropout must be in [0, 1); got {dropout}.");
        if (!(recurrentDropout >= 0 && recurrentDropout < 1))
            throw new ArgumentOutOfRangeException(nameof(recurrentDropout), recurrentDropout,
                $"{kind} '{Name}': recurrentDropout must be in [0, 1); got {recurrentDropout}.");
        Units = units;
        ActivationName = activation;
        _activation = LayerArguments.Activation(activation, nameof(activation));
        UseBias = useBias;
        KernelSpec = new WeightSpec("kernel", kernelInitializer, kernelRegularizer, kernelConstraint, "glorot_uniform");
        RecurrentSpec = new WeightSpec("recurrent", recurrentInitializer, recurrentRegularizer, recurrentConstraint, "orthogonal");
        BiasSpec = new WeightSpec("bias", biasInitializer, biasRegularizer, biasConstraint, "zeros");
        Dropout = dropout;
        RecurrentDropout = recurrentDropout;
        Seed = seed;
        if (seed is int s) _generator = new Generator((ulong)s, torch.CPU);
    }

    /// <summary>Dimensionality of the output and of each state (the number of filters of a <see cref="ConvLSTMCell"/>).</summary>
    public int Units { get; }

    /// <summary>Activation alias (null = linear).</summary>
    public string? ActivationName { get; }

    /// <summary>Whether the cell has a bias.</summary>
    public bool UseBias { get; }

    /// <summary>Initializer, regularizer and constraint of <c>kernel</c>.</summary>
    public WeightSpec KernelSpec { get; }

    /// <summary>Initializer, regularizer and constraint of <c>recurrent_kernel</c> (config prefix "recurrent").</summary>
    public WeightSpec RecurrentSpec { get; }

    /// <summary>Initializer, regularizer and constraint of <c>bias</c>.</summary>
    public WeightSpec BiasSpec { get; }

    /// <summary>Fraction of the input features dropped while training.</summary>
    public double Dropout { get; }

    /// <summary>Fraction of the recurrent state dropped while training.</summary>
    public double RecurrentDropout { get; }

    /// <summary>Seed of the dropout masks, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override int[] StateSize => [Units];

    /// <summary>The input kernel (after build): (inputDim, gates·units), or a ConvLSTMCell's (*kernelSize, channels, 4·filters).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Cell '{Name}' is not built yet.");

    /// <summary>The recurrent kernel (after build): (units, gates·units), or a ConvLSTMCell's (*kernelSize, filters, 4·filters).</summary>
    public KerasVariable RecurrentKernel => _recurrentKernel ?? throw new InvalidOperationException($"Cell '{Name}' is not built yet.");

    /// <summary>The bias, or null without bias.</summary>
    public KerasVariable? Bias => _bias;

    /// <summary>The number of features (a ConvLSTMCell's channels) of the step input (after build).</summary>
    public int InputDim { get; private set; }

    /// <summary>The step input's shape without the batch axis, once built.</summary>
    private protected int?[]? StepShape => _stepShape;

    /// <summary>How many gate blocks the kernels hold (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    private protected abstract int GateCount { get; }

    /// <summary>The activation function.</summary>
    private protected Func<Tensor, Tensor> Activation => _activation;

    /// <summary>Creates the bias (default: the spec's initializer over <paramref name="shape"/>).</summary>
    private protected virtual KerasVariable BuildBias(long[] shape) => BiasSpec.Add(WeightOwner, "bias", shape);

    /// <summary>An LSTM bias (four gate blocks i, f, c, o) whose forget block starts at ones (Keras's <c>unit_forget_bias</c>).</summary>
    private protected KerasVariable BuildForgetBias(long[] shape)
    {
        var bias = BiasSpec.Add(WeightOwner, "bias", shape, initializer: "zeros");
        using var scope = torch.NewDisposeScope();
        var init = BiasSpec.Initializer;
        bias.Assign(torch.cat([
            init.Call([Units], DType, torch.CPU),
            torch.ones([Units], dtype: DType),
            init.Call([2L * Units], DType, torch.CPU),
        ]));
        return bias;
    }

    /// <summary>The bias's shape.</summary>
    private protected virtual long[] BiasShape => [GateCount * (long)Units];

    internal override int? StepRank => 2;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var (inputDim, kernelShape, recurrentShape, permutation) = KernelShapes(inputShape);
        InputDim = inputDim;
        _kernel = KernelSpec.Add(WeightOwner, "kernel", kernelShape, permutation);
        _recurrentKernel = RecurrentSpec.Add(WeightOwner, "recurrent_kernel", recurrentShape, permutation);
        if (UseBias) _bias = BuildBias(BiasShape);
        _stepShape = inputShape[1..];
    }

    /// <summary>
    /// Checks a step input shape (batch first) and gives the input's feature count and the Keras shapes of
    /// <c>kernel</c> and <c>recurrent_kernel</c>, with the permutation to their stored layout (null: as is).
    /// </summary>
    private protected virtual (int inputDim, long[] kernel, long[] recurrentKernel, int[]? permutation) KernelShapes(int?[] inputShape)
    {
        if (inputShape.Length != 2 || inputShape[1] is not int inputDim)
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) takes step inputs of shape (batch, features) with known features; got {ShapeUtils.Format(inputShape)}.");
        return (inputDim, [inputDim, GateCount * (long)Units], [Units, GateCount * (long)Units], null);
    }

    // ------------------------------------------------------------------------------------------ step

    /// <inheritdoc />
    public sealed override (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(states);
        if (!Built) EnsureBuilt([ShapeUtils.WithNullBatch(inputs.shape)]);
        var step = _stepShape!;
        if (inputs.dim() != step.Length + 1 || step.Where((d, i) => d is int n && inputs.shape[i + 1] != n).Any())
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) expects a step input of shape {ShapeUtils.Format([(int)inputs.shape[0], .. step])}; got {ShapeUtils.Format(inputs.shape)}.", nameof(inputs));
        var expected = ComputeStateShapes([(int)inputs.shape[0], .. step]);
        if (states.Length != expected.Length || states.Where((s, i) => !Fits(s.shape, expected[i])).Any())
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) expects {expected.Length} state(s) of shape{(expected.Length > 1 ? "s" : "")} " +
                $"[{string.Join(", ", expected.Select(ShapeUtils.Format))}]; got [{string.Join(", ", states.Select(s => ShapeUtils.Format(s.shape)))}].", nameof(states));
        return Step(ProjectInputs(inputs, InputMasks(inputs, training)), states, RecurrentMasks(states[0], training));
    }

    /// <inheritdoc />
    public override void ResetDropoutMasks()
    {
        _inputMasks = null;
        _recurrentMasks = null;
    }

    /// <summary>How many masks each dropout draws: one per gate block with recurrent dropout (Keras's implementation 1), else one.</summary>
    private protected virtual int MaskCount => RecurrentDropout > 0 ? GateCount : 1;

    /// <summary>The input dropout masks (each of the step input's shape) of the current sequence (drawn on first use), or null when not dropping.</summary>
    internal Tensor[]? InputMasks(Tensor stepInput, bool training)
        => training && Dropout > 0 ? _inputMasks = Masks(_inputMasks, stepInput, Dropout) : null;

    /// <summary>The recurrent dropout masks (each of the state's shape) of the current sequence (drawn on first use), or null when not dropping.</summary>
    internal Tensor[]? RecurrentMasks(Tensor state, bool training)
        => training && RecurrentDropout > 0 ? _recurrentMasks = Masks(_recurrentMasks, state, RecurrentDropout) : null;

    /// <summary>The kept masks while they fit <paramref name="like"/>'s shape, else <see cref="MaskCount"/> new ones.</summary>
    private Tensor[] Masks(Tensor[]? kept, Tensor like, double rate)
    {
        if (kept is not null && !kept[0].IsInvalid && kept[0].shape.SequenceEqual(like.shape)) return kept;
        return Enumerable.Range(0, MaskCount).Select(_ =>
        {
            var u = _generator is null
                ? torch.rand(like.shape, dtype: like.dtype, device: like.device)
                : torch.rand(like.shape, generator: _generator, dtype: like.dtype).to(like.device);
            return u.ge(rate).to(like.dtype).div_(1.0 - rate);
        }).ToArray();
    }

    /// <summary>The bias added to the input projection (all of it, or GRU's input half).</summary>
    private protected virtual Tensor? InputBias => _bias?.Value;

    /// <summary>
    /// The input's share of every gate for one step (batch, features…) or all steps (batch, time, features…), given to
    /// <see cref="Step"/> (a step's slice of it): here x · kernel (+ input bias); <see cref="ConvLSTMCell"/> convolves.
    /// </summary>
    internal virtual Tensor ProjectInputs(Tensor x, Tensor[]? masks)
    {
        var kernel = Kernel.Value;
        Tensor Masked(Tensor m) => x * (x.dim() == 3 ? m.unsqueeze(1) : m);
        Tensor y;
        if (masks is null) y = x.matmul(kernel);
        else if (masks.Length == 1) y = Masked(masks[0]).matmul(kernel);
        else
        {
            var parts = kernel.chunk(GateCount, 1);
            y = torch.cat(parts.Select((k, g) => Masked(masks[g]).matmul(k)).ToArray(), -1);
        }
        var bias = InputBias;
        return bias is null ? y : y.add(bias);
    }

    /// <summary>h · recurrentKernel; with one mask per gate block, each block sees its own masked state.</summary>
    private protected Tensor ProjectState(Tensor h, Tensor[]? masks)
    {
        var recurrentKernel = RecurrentKernel.Value;
        if (masks is null) return h.matmul(recurrentKernel);
        if (masks.Length == 1) return (h * masks[0]).matmul(recurrentKernel);
        var parts = recurrentKernel.chunk(GateCount, 1);
        return torch.cat(parts.Select((k, g) => (h * masks[g]).matmul(k)).ToArray(), -1);
    }

    /// <summary>One step from the projected input (<see cref="ProjectInputs"/>) and the previous states.</summary>
    internal abstract (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks);

    // ------------------------------------------------------------------------------------------ fused kernels

    /// <summary>The fused kernel that computes this configuration ("lstm", "gru", "rnn_tanh", "rnn_relu"), or null.</summary>
    internal abstract string? FusedKernel { get; }

    /// <summary>The torch-layout parameters [w_ih, w_hh(, b_ih, b_hh)] built from the variables (inside autograd).</summary>
    internal abstract Tensor[] FusedParameters(ScalarType dtype, Device device);

    /// <summary>Whether <see cref="FusedParameters"/> includes biases.</summary>
    internal bool FusedHasBiases => UseBias;

    /// <summary>Keras layout (…, [z | r | h]) → torch GRU layout (…, [r | z | n]) along the last axis.</summary>
    private protected static Tensor SwapFirstTwoBlocks(Tensor t, int units)
    {
        var a = t.narrow(-1, 0, units);
        var b = t.narrow(-1, units, units);
        var rest = t.narrow(-1, 2 * units, t.shape[^1] - 2 * units);
        return torch.cat([b, a, rest], -1);
    }

    // ------------------------------------------------------------------------------------------ config

    /// <summary>Writes the arguments this base holds into <paramref name="config"/> (used by the cells and their layers).</summary>
    internal void WriteCellConfig(Dictionary<string, object?> config)
    {
        WriteKindConfig(config);
        config["activation"] = LayerArguments.DescribeActivation(ActivationName);
        config["use_bias"] = UseBias;
        KernelSpec.WriteConfig(config);
        RecurrentSpec.WriteConfig(config);
        BiasSpec.WriteConfig(config);
        config["dropout"] = Dropout;
        config["recurrent_dropout"] = RecurrentDropout;
        config["seed"] = Seed;
    }

    /// <summary>
    /// Writes the arguments of the cell's kind that this base does not hold: <c>units</c> here; a
    /// <see cref="ConvLSTMCell"/>'s filters, spatial arguments, recurrent activation and unit forget bias.
    /// </summary>
    private protected virtual void WriteKindConfig(Dictionary<string, object?> config) => config["units"] = Units;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        WriteCellConfig(c);
        return c;
    }
}
