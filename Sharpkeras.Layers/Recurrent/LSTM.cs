using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Long Short-Term Memory layer (Hochreiter 1997; Keras's <c>keras.layers.LSTM</c>). Per step, with gates in
/// Keras's order i, f, c, o:
/// <c>z = x·kernel + h·recurrent_kernel + bias</c>; <c>i = σ(z_i)</c>, <c>f = σ(z_f)</c>,
/// <c>c' = f·c + i·tanh(z_c)</c>, <c>o = σ(z_o)</c>, <c>h' = o·tanh(c')</c> (σ = recurrentActivation, tanh = activation).
/// </summary>
/// <remarks>
/// Weights in Keras's layout: <c>kernel</c> (inputDim, 4·units), <c>recurrent_kernel</c> (units, 4·units),
/// <c>bias</c> (4·units) — e.g. 64 units on 64 features: 64·256 + 64·256 + 256 = 33,024 parameters.
/// With <c>returnState</c> the outputs are [output, h, c]; initial states go in as <c>[x, h0, c0]</c>.
/// Computation, masking and dropout: see <see cref="RecurrentLayer"/>.
/// </remarks>
public sealed class LSTM : RecurrentLayer
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
    /// <param name="activation">Activation of the cell input and output ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the layer has a bias.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
    /// <param name="unitForgetBias">Add 1 to the forget-gate bias at initialization (the forget block is set to ones).</param>
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
    /// <param name="returnState">Also return the final h and c.</param>
    /// <param name="goBackwards">Process the sequence backwards and return the reversed sequence.</param>
    /// <param name="stateful">Must be false (not supported).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (timesteps, features).</param>
    /// <param name="name">Layer name.</param>
    public LSTM(int units, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null,
        bool unitForgetBias = true, object? kernelRegularizer = null, object? recurrentRegularizer = null,
        object? biasRegularizer = null, object? activityRegularizer = null, object? kernelConstraint = null,
        object? recurrentConstraint = null, object? biasConstraint = null, double dropout = 0.0,
        double recurrentDropout = 0.0, int? seed = null, bool returnSequences = false, bool returnState = false,
        bool goBackwards = false, bool stateful = false, bool unroll = false, bool zeroOutputForMask = false,
        int?[]? inputShape = null, string? name = null)
        : base(units, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll,
            zeroOutputForMask, activityRegularizer, inputShape, name)
    {
        ActivationName = activation;
        RecurrentActivationName = recurrentActivation;
        _activation = LayerArguments.Activation(activation, nameof(activation));
        _recurrentActivation = LayerArguments.Activation(recurrentActivation, nameof(recurrentActivation));
        UseBias = useBias;
        UnitForgetBias = unitForgetBias;
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

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias { get; }

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

    /// <summary>The input kernel (inputDim, 4·units), gates i, f, c, o (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The recurrent kernel (units, 4·units) (after build).</summary>
    public KerasVariable RecurrentKernel => _recurrentKernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias (4·units), or null without bias.</summary>
    public KerasVariable? Bias => _bias;

    /// <inheritdoc />
    public override int StateCount => 2;

    private protected override int GateCount => 4;

    private protected override void BuildCell(int inputDim)
    {
        _kernel = AddWeight("kernel", [inputDim, 4L * Units], KernelInitializer, KernelRegularizer, constraint: KernelConstraint);
        _recurrentKernel = AddWeight("recurrent_kernel", [Units, 4L * Units], RecurrentInitializer, RecurrentRegularizer, constraint: RecurrentConstraint);
        if (!UseBias) return;
        if (!UnitForgetBias)
        {
            _bias = AddWeight("bias", [4L * Units], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
            return;
        }
        _bias = AddWeight("bias", [4L * Units], "zeros", BiasRegularizer, constraint: BiasConstraint);
        using var scope = torch.NewDisposeScope();
        var value = torch.cat([
            BiasInitializer.Call([Units], DType, torch.CPU),
            torch.ones([Units], dtype: DType),
            BiasInitializer.Call([2L * Units], DType, torch.CPU),
        ]);
        _bias.Assign(value);
    }

    private protected override string? FusedKernel => ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? "lstm" : null;

    private protected override bool FusedHasBiases => UseBias;

    private protected override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        // torch's gate order (i, f, g, o) is Keras's (i, f, c, o): only transposes; Keras's single bias is b_ih, b_hh = 0.
        var wih = _kernel!.Value.t().contiguous();
        var whh = _recurrentKernel!.Value.t().contiguous();
        if (_bias is null) return [wih, whh];
        return [wih, whh, _bias.Value, torch.zeros([4L * Units], dtype: dtype, device: device)];
    }

    private protected override Tensor ProjectInputs(Tensor x, Tensor[]? dropoutMasks)
        => Project(x, _kernel!.Value, _bias?.Value, dropoutMasks, 4);

    private protected override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var z = projectedInput + ProjectState(states[0], _recurrentKernel!.Value, recurrentMasks, 4);
        var gates = z.chunk(4, 1);
        var i = _recurrentActivation(gates[0]);
        var f = _recurrentActivation(gates[1]);
        var c = f * states[1] + i * _activation(gates[2]);
        var o = _recurrentActivation(gates[3]);
        var h = o * _activation(c);
        return (h, [h, c]);
    }

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new LSTM(Units, ActivationName, RecurrentActivationName,
        UseBias, _kernelInitializerArg, _recurrentInitializerArg, _biasInitializerArg, UnitForgetBias, _kernelRegularizerArg,
        _recurrentRegularizerArg, _biasRegularizerArg, ActivityRegularizerArgument, _kernelConstraintArg, _recurrentConstraintArg,
        _biasConstraintArg, Dropout, RecurrentDropout, Seed, ReturnSequences, ReturnState, goBackwards, false, Unroll,
        ZeroOutputForMask, DeclaredInputShape, name);

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
        c["unit_forget_bias"] = UnitForgetBias;
        c["kernel_regularizer"] = LayerArguments.Describe(_kernelRegularizerArg);
        c["recurrent_regularizer"] = LayerArguments.Describe(_recurrentRegularizerArg);
        c["bias_regularizer"] = LayerArguments.Describe(_biasRegularizerArg);
        c["kernel_constraint"] = LayerArguments.Describe(_kernelConstraintArg);
        c["recurrent_constraint"] = LayerArguments.Describe(_recurrentConstraintArg);
        c["bias_constraint"] = LayerArguments.Describe(_biasConstraintArg);
        return c;
    }
}
