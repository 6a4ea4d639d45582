using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Gated Recurrent Unit (Cho et al. 2014; Keras's <c>keras.layers.GRU</c>). Per step, with gates in Keras's
/// order z (update), r (reset), h (candidate) and Keras 3's default <c>resetAfter: true</c>:
/// <c>z = σ(x·W_z + b_z + h·U_z + b'_z)</c>, <c>r = σ(x·W_r + b_r + h·U_r + b'_r)</c>,
/// <c>ĥ = tanh(x·W_h + b_h + r ⊙ (h·U_h + b'_h))</c>, <c>h' = z ⊙ h + (1 − z) ⊙ ĥ</c>.
/// With <c>resetAfter: false</c>: <c>ĥ = tanh(x·W_h + b_h + (r ⊙ h)·U_h)</c> and a single bias.
/// </summary>
/// <remarks>
/// Weights in Keras's layout: <c>kernel</c> (inputDim, 3·units) [z | r | h], <c>recurrent_kernel</c>
/// (units, 3·units), <c>bias</c> (2, 3·units) = [input bias; recurrent bias] (resetAfter) or (3·units).
/// 64 units on 64 features: 3·(64·64 + 64·64 + 2·64) = 24,960 parameters. libtorch's GRU orders the gates
/// r, z, n: the layer reorders the blocks when it feeds the fused kernel (resetAfter: true only; resetAfter:
/// false runs the per-step loop). Computation, masking and dropout: see <see cref="RecurrentLayer"/>.
/// </remarks>
public sealed class GRU : RecurrentLayer
{
    private KerasVariable? _kernel;
    private KerasVariable? _recurrentKernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly Func<Tensor, Tensor> _recurrentActivation;
    private readonly object _kernelInitializerArg, _recurrentInitializerArg, _biasInitializerArg;
    private readonly object? _kernelRegularizerArg, _recurrentRegularizerArg, _biasRegularizerArg;
    private readonly object? _kernelConstraintArg, _recurrentConstraintArg, _biasConstraintArg;

    /// <summary>Creates the layer (Keras's arguments and defaults).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation of the candidate state ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the layer has biases.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
    /// <param name="kernelRegularizer">Regularizer of <c>kernel</c>.</param>
    /// <param name="recurrentRegularizer">Regularizer of <c>recurrent_kernel</c>.</param>
    /// <param name="biasRegularizer">Regularizer of <c>bias</c>.</param>
    /// <param name="activityRegularizer">Regularizer of the outputs.</param>
    /// <param name="kernelConstraint">Constraint of <c>kernel</c>.</param>
    /// <param name="recurrentConstraint">Constraint of <c>recurrent_kernel</c>.</param>
    /// <param name="biasConstraint">Constraint of <c>bias</c>.</param>
    /// <param name="dropout">Fraction of input features dropped while training, in [0, 1).</param>
    /// <param name="recurrentDropout">Fraction of the recurrent state dropped while training, in [0, 1) (uses the per-step loop while training).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="returnSequences">Return the whole output sequence (else the last output).</param>
    /// <param name="returnState">Also return the final state.</param>
    /// <param name="goBackwards">Process the sequence backwards and return the reversed sequence.</param>
    /// <param name="stateful">Must be false (not supported).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="resetAfter">Apply the reset gate after the recurrent matrix product (Keras 3 and cuDNN convention).</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (timesteps, features).</param>
    /// <param name="name">Layer name.</param>
    public GRU(int units, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? recurrentRegularizer = null, object? biasRegularizer = null,
        object? activityRegularizer = null, object? kernelConstraint = null, object? recurrentConstraint = null,
        object? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null,
        bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, bool resetAfter = true, bool zeroOutputForMask = false, int?[]? inputShape = null, string? name = null)
        : base(units, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll,
            zeroOutputForMask, activityRegularizer, inputShape, name)
    {
        ActivationName = activation;
        RecurrentActivationName = recurrentActivation;
        _activation = LayerArguments.Activation(activation, nameof(activation));
        _recurrentActivation = LayerArguments.Activation(recurrentActivation, nameof(recurrentActivation));
        UseBias = useBias;
        ResetAfter = resetAfter;
        _kernelInitializerArg = kernelInitializer ?? "glorot_uniform";
        _recurrentInitializerArg = recurrentInitializer ?? "orthogonal";
        _biasInitializerArg = biasInitializer ?? "zeros";
        KernelInitializer = LayerArguments.Initializer(_kernelInitializerArg, nameof(kernelInitializer));
        RecurrentInitializer = LayerArguments.Initializer(_recurrentInitializerArg, nameof(recurrentInitializer));
        BiasInitializer = LayerArguments.Initializer(_biasInitializerArg, nameof(biasInitializer));
        _kernelRegularizerArg = kernelRegularizer;
        _recurrentRegularizerArg = recurrentRegularizer;
        _biasRegularizerArg = biasRegularizer;
        KernelRegularizer = LayerArguments.Regularizer(kernelRegularizer, nameof(kernelRegularizer));
        RecurrentRegularizer = LayerArguments.Regularizer(recurrentRegularizer, nameof(recurrentRegularizer));
        BiasRegularizer = LayerArguments.Regularizer(biasRegularizer, nameof(biasRegularizer));
        _kernelConstraintArg = kernelConstraint;
        _recurrentConstraintArg = recurrentConstraint;
        _biasConstraintArg = biasConstraint;
        KernelConstraint = LayerArguments.Constraint(kernelConstraint, nameof(kernelConstraint));
        RecurrentConstraint = LayerArguments.Constraint(recurrentConstraint, nameof(recurrentConstraint));
        BiasConstraint = LayerArguments.Constraint(biasConstraint, nameof(biasConstraint));
    }

    /// <summary>Activation alias (null = linear).</summary>
    public string? ActivationName { get; }

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName { get; }

    /// <summary>Whether the layer has biases.</summary>
    public bool UseBias { get; }

    /// <summary>Whether the reset gate is applied after the recurrent product (bias shape (2, 3·units)).</summary>
    public bool ResetAfter { get; }

    /// <summary>Initializer of <c>kernel</c>.</summary>
    public Initializers.Initializer KernelInitializer { get; }

    /// <summary>Initializer of <c>recurrent_kernel</c>.</summary>
    public Initializers.Initializer RecurrentInitializer { get; }

    /// <summary>Initializer of <c>bias</c>.</summary>
    public Initializers.Initializer BiasInitializer { get; }

    /// <summary>Regularizer of <c>kernel</c>.</summary>
    public Regularizers.Regularizer? KernelRegularizer { get; }

    /// <summary>Regularizer of <c>recurrent_kernel</c>.</summary>
    public Regularizers.Regularizer? RecurrentRegularizer { get; }

    /// <summary>Regularizer of <c>bias</c>.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }

    /// <summary>Constraint of <c>kernel</c>.</summary>
    public Constraints.Constraint? KernelConstraint { get; }

    /// <summary>Constraint of <c>recurrent_kernel</c>.</summary>
    public Constraints.Constraint? RecurrentConstraint { get; }

    /// <summary>Constraint of <c>bias</c>.</summary>
    public Constraints.Constraint? BiasConstraint { get; }

    /// <summary>The input kernel (inputDim, 3·units), gates z, r, h (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The recurrent kernel (units, 3·units) (after build).</summary>
    public KerasVariable RecurrentKernel => _recurrentKernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias, (2, 3·units) with resetAfter or (3·units) without; null without bias.</summary>
    public KerasVariable? Bias => _bias;

    /// <inheritdoc />
    public override int StateCount => 1;

    private protected override int GateCount => 3;

    private protected override void BuildCell(int inputDim)
    {
        _kernel = AddWeight("kernel", [inputDim, 3L * Units], KernelInitializer, KernelRegularizer, constraint: KernelConstraint);
        _recurrentKernel = AddWeight("recurrent_kernel", [Units, 3L * Units], RecurrentInitializer, RecurrentRegularizer, constraint: RecurrentConstraint);
        if (UseBias)
            _bias = AddWeight("bias", ResetAfter ? [2L, 3L * Units] : [3L * Units], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
    }

    private protected override string? FusedKernel =>
        ResetAfter && ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? "gru" : null;

    private protected override bool FusedHasBiases => UseBias;

    private protected override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        var wih = SwapFirstTwoBlocks(_kernel!.Value, Units).t();
        var whh = SwapFirstTwoBlocks(_recurrentKernel!.Value, Units).t();
        if (_bias is null) return [wih, whh];
        var b = SwapFirstTwoBlocks(_bias.Value, Units);
        return [wih, whh, b[0], b[1]];
    }

    private Tensor? InputBias => _bias is null ? null : ResetAfter ? _bias.Value[0] : _bias.Value;

    private protected override Tensor ProjectInputs(Tensor x, Tensor[]? dropoutMasks)
        => Project(x, _kernel!.Value, InputBias, dropoutMasks, 3);

    private protected override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var h = states[0];
        var u = Units;
        var xs = projectedInput.chunk(3, 1);
        var r = _recurrentKernel!.Value;
        Tensor z, reset, candidate;
        if (ResetAfter)
        {
            var inner = ProjectState(h, r, recurrentMasks, 3);
            if (_bias is not null) inner = inner + _bias.Value[1];
            var hs = inner.chunk(3, 1);
            z = _recurrentActivation(xs[0] + hs[0]);
            reset = _recurrentActivation(xs[1] + hs[1]);
            candidate = _activation(xs[2] + reset * hs[2]);
        }
        else
        {
            Tensor Masked(int g) => recurrentMasks is null ? h : h * recurrentMasks[recurrentMasks.Length == 1 ? 0 : g];
            z = _recurrentActivation(xs[0] + Masked(0).matmul(r.narrow(1, 0, u)));
            reset = _recurrentActivation(xs[1] + Masked(1).matmul(r.narrow(1, u, u)));
            candidate = _activation(xs[2] + (reset * Masked(2)).matmul(r.narrow(1, 2 * u, u)));
        }
        var next = z * h + (1 - z) * candidate;
        return (next, [next]);
    }

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new GRU(Units, ActivationName, RecurrentActivationName,
        UseBias, _kernelInitializerArg, _recurrentInitializerArg, _biasInitializerArg, _kernelRegularizerArg, _recurrentRegularizerArg,
        _biasRegularizerArg, ActivityRegularizerArgument, _kernelConstraintArg, _recurrentConstraintArg, _biasConstraintArg, Dropout,
        RecurrentDropout, Seed, ReturnSequences, ReturnState, goBackwards, false, Unroll, ResetAfter, ZeroOutputForMask,
        DeclaredInputShape, name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = LayerArguments.DescribeActivation(ActivationName);
        c["recurrent_activation"] = LayerArguments.DescribeActivation(RecurrentActivationName);
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = LayerArguments.Describe(_kernelInitializerArg);
        c["recurrent_initializer"] = LayerArguments.Describe(_recurrentInitializerArg);
        c["bias_initializer"] = LayerArguments.Describe(_biasInitializerArg);
        c["kernel_regularizer"] = LayerArguments.Describe(_kernelRegularizerArg);
        c["recurrent_regularizer"] = LayerArguments.Describe(_recurrentRegularizerArg);
        c["bias_regularizer"] = LayerArguments.Describe(_biasRegularizerArg);
        c["kernel_constraint"] = LayerArguments.Describe(_kernelConstraintArg);
        c["recurrent_constraint"] = LayerArguments.Describe(_recurrentConstraintArg);
        c["bias_constraint"] = LayerArguments.Describe(_biasConstraintArg);
        c["reset_after"] = ResetAfter;
        return c;
    }
}
