using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// What the built-in cells (<see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>) share,
/// after Keras's <c>DropoutRNNCell</c>: <c>units</c>, an activation, a kernel, a recurrent kernel and a bias
/// (each with its <see cref="WeightSpec"/>), and input/recurrent dropout with one mask per sequence.
/// </summary>
/// <remarks>
/// Dropout (training only) multiplies the step input by a mask drawn once per sequence (and the previous
/// state by another, for <c>recurrentDropout</c>); with <c>recurrentDropout</c> &gt; 0 each gate block gets its
/// own masks (Keras's "implementation 1"). <see cref="RNN"/> resets the masks before every sequence.
/// The weights are in Keras's layout: <c>kernel</c> (inputDim, gates·units), <c>recurrent_kernel</c>
/// (units, gates·units), <c>bias</c>. <see cref="RNN"/> feeds these cells to libtorch's fused kernels when
/// their configuration allows (see <see cref="RecurrentLayer"/>).
/// </remarks>
public abstract class DropoutRNNCell : RNNCell
{
    private readonly Generator? _generator;
    private Tensor[]? _inputMasks;
    private Tensor[]? _recurrentMasks;
    private KerasVariable? _kernel;
    private KerasVariable? _recurrentKernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;

    private protected DropoutRNNCell(int units, string? activation, bool useBias, object? kernelInitializer, object? recurrentInitializer,
        object? biasInitializer, object? kernelRegularizer, object? recurrentRegularizer, object? biasRegularizer,
        object? kernelConstraint, object? recurrentConstraint, object? biasConstraint, double dropout, double recurrentDropout,
        int? seed, string? name)
        : base(name)
    {
        string kind = GetType().Name;
        if (units <= 0)
            throw new ArgumentOutOfRangeException(nameof(units), units, $"{kind} '{Name}': units must be a positive integer; got {units}.");
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
        _weightOwner = () => this;
    }

    /// <summary>Dimensionality of the output and of each state.</summary>
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

    /// <summary>The input kernel (inputDim, gates·units) (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Cell '{Name}' is not built yet.");

    /// <summary>The recurrent kernel (units, gates·units) (after build).</summary>
    public KerasVariable RecurrentKernel => _recurrentKernel ?? throw new InvalidOperationException($"Cell '{Name}' is not built yet.");

    /// <summary>The bias, or null without bias.</summary>
    public KerasVariable? Bias => _bias;

    /// <summary>The number of features of the step input (after build).</summary>
    public int InputDim { get; private set; }

    /// <summary>How many gate blocks the kernels hold (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    private protected abstract int GateCount { get; }

    /// <summary>The activation function.</summary>
    private protected Func<Tensor, Tensor> Activation => _activation;

    /// <summary>
    /// The layer that owns the weights: the cell itself, or the <see cref="LSTM"/>/<see cref="GRU"/>/<see cref="SimpleRNN"/>
    /// built on it, so those layers keep their weights as their own ("lstm/kernel", as before they were built on cells).
    /// </summary>
    internal Layer WeightOwner
    {
        get => _weightOwner();
        set => _weightOwner = () => value;
    }

    // A delegate on purpose: Layer tracks every field holding a Layer as a sub-layer, and the owner is the parent.
    private Func<Layer> _weightOwner;

    /// <summary>Creates the bias (default: the spec's initializer over <paramref name="shape"/>).</summary>
    private protected virtual KerasVariable BuildBias(long[] shape) => BiasSpec.Add(WeightOwner, "bias", shape);

    /// <summary>The bias's shape.</summary>
    private protected virtual long[] BiasShape => [GateCount * (long)Units];

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 2 || inputShape[1] is not int inputDim)
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) takes step inputs of shape (batch, features) with known features; got {ShapeUtils.Format(inputShape)}.");
        InputDim = inputDim;
        _kernel = KernelSpec.Add(WeightOwner, "kernel", [inputDim, GateCount * (long)Units]);
        _recurrentKernel = RecurrentSpec.Add(WeightOwner, "recurrent_kernel", [Units, GateCount * (long)Units]);
        if (UseBias) _bias = BuildBias(BiasShape);
    }

    // ------------------------------------------------------------------------------------------ step

    /// <inheritdoc />
    public sealed override (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(states);
        if (!Built) EnsureBuilt([ShapeUtils.WithNullBatch(inputs.shape)]);
        if (inputs.dim() != 2 || inputs.shape[1] != InputDim)
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) expects a step input of shape (batch, {InputDim}); got {ShapeUtils.Format(inputs.shape)}.", nameof(inputs));
        if (states.Length != StateSize.Length || states.Any(s => s.dim() != 2 || s.shape[0] != inputs.shape[0] || s.shape[1] != Units))
            throw new ArgumentException(
                $"Cell '{Name}' ({GetType().Name}) expects {StateSize.Length} state(s) of shape ({inputs.shape[0]}, {Units}); got " +
                $"[{string.Join(", ", states.Select(s => ShapeUtils.Format(s.shape)))}].", nameof(states));
        return Step(ProjectInputs(inputs, InputMasks(inputs, training)), states, RecurrentMasks(states[0], training));
    }

    /// <inheritdoc />
    public override void ResetDropoutMasks()
    {
        _inputMasks = null;
        _recurrentMasks = null;
    }

    /// <summary>How many masks each dropout draws: one per gate block with recurrent dropout (Keras's implementation 1), else one.</summary>
    private int MaskCount => RecurrentDropout > 0 ? GateCount : 1;

    /// <summary>The input dropout masks of the current sequence (drawn on first use), or null when not dropping.</summary>
    internal Tensor[]? InputMasks(Tensor stepInput, bool training)
    {
        if (!training || Dropout <= 0) return null;
        if (_inputMasks is null || _inputMasks[0].IsInvalid || _inputMasks[0].shape[0] != stepInput.shape[0])
            _inputMasks = Enumerable.Range(0, MaskCount).Select(_ => DropoutMask(stepInput.shape[0], stepInput.shape[^1], Dropout, stepInput)).ToArray();
        return _inputMasks;
    }

    /// <summary>The recurrent dropout masks of the current sequence (drawn on first use), or null when not dropping.</summary>
    internal Tensor[]? RecurrentMasks(Tensor state, bool training)
    {
        if (!training || RecurrentDropout <= 0) return null;
        if (_recurrentMasks is null || _recurrentMasks[0].IsInvalid || _recurrentMasks[0].shape[0] != state.shape[0])
            _recurrentMasks = Enumerable.Range(0, MaskCount).Select(_ => DropoutMask(state.shape[0], Units, RecurrentDropout, state)).ToArray();
        return _recurrentMasks;
    }

    private Tensor DropoutMask(long batch, long features, double rate, Tensor like)
    {
        var u = _generator is null
            ? torch.rand([batch, features], dtype: like.dtype, device: like.device)
            : torch.rand([batch, features], generator: _generator, dtype: like.dtype).to(like.device);
        return u.ge(rate).to(like.dtype).div_(1.0 - rate);
    }

    /// <summary>The bias added to the input projection (all of it, or GRU's input half).</summary>
    private protected virtual Tensor? InputBias => _bias?.Value;

    /// <summary>x · kernel (+ input bias), for one step (batch, features) or all steps (batch, time, features).</summary>
    internal Tensor ProjectInputs(Tensor x, Tensor[]? masks)
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
        config["units"] = Units;
        config["activation"] = LayerArguments.DescribeActivation(ActivationName);
        config["use_bias"] = UseBias;
        KernelSpec.WriteConfig(config);
        RecurrentSpec.WriteConfig(config);
        BiasSpec.WriteConfig(config);
        config["dropout"] = Dropout;
        config["recurrent_dropout"] = RecurrentDropout;
        config["seed"] = Seed;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        WriteCellConfig(c);
        return c;
    }
}
