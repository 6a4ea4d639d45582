using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Fully-connected recurrent layer whose output is fed back as its state (Keras's <c>keras.layers.SimpleRNN</c>):
/// <c>h' = activation(x·kernel + bias + h·recurrent_kernel)</c>.
/// </summary>
/// <remarks>
/// Weights in Keras's layout: <c>kernel</c> (inputDim, units), <c>recurrent_kernel</c> (units, units),
/// <c>bias</c> (units) — 64 units on 64 features: 64·64 + 64·64 + 64 = 8,256 parameters. "tanh" and "relu"
/// run libtorch's fused kernels; other activations the per-step loop. Computation, masking and dropout:
/// see <see cref="RecurrentLayer"/>.
/// </remarks>
public sealed class SimpleRNN : RecurrentLayer
{
    private KerasVariable? _kernel;
    private KerasVariable? _recurrentKernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly object _kernelInitializerArg, _recurrentInitializerArg, _biasInitializerArg;
    private readonly object? _kernelRegularizerArg, _recurrentRegularizerArg, _biasRegularizerArg;
    private readonly object? _kernelConstraintArg, _recurrentConstraintArg, _biasConstraintArg;

    /// <summary>Creates the layer (Keras's arguments and defaults).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation ("tanh"; null = linear).</param>
    /// <param name="useBias">Whether the layer has a bias.</param>
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
    /// <param name="returnSequences">Return the whole output sequence (else the last output).</param>
    /// <param name="returnState">Also return the final state.</param>
    /// <param name="goBackwards">Process the sequence backwards and return the reversed sequence.</param>
    /// <param name="stateful">Must be false (not supported).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (timesteps, features).</param>
    /// <param name="name">Layer name.</param>
    public SimpleRNN(int units, string? activation = "tanh", bool useBias = true, object? kernelInitializer = null,
        object? recurrentInitializer = null, object? biasInitializer = null, object? kernelRegularizer = null,
        object? recurrentRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? recurrentConstraint = null, object? biasConstraint = null,
        double dropout = 0.0, double recurrentDropout = 0.0, bool returnSequences = false, bool returnState = false,
        bool goBackwards = false, bool stateful = false, bool unroll = false, int? seed = null, bool zeroOutputForMask = false,
        int?[]? inputShape = null, string? name = null)
        : base(units, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll,
            zeroOutputForMask, activityRegularizer, inputShape, name)
    {
        ActivationName = activation;
        _activation = LayerArguments.Activation(activation, nameof(activation));
        UseBias = useBias;
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

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

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

    /// <summary>The input kernel (inputDim, units) (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The recurrent kernel (units, units) (after build).</summary>
    public KerasVariable RecurrentKernel => _recurrentKernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias (units), or null without bias.</summary>
    public KerasVariable? Bias => _bias;

    /// <inheritdoc />
    public override int StateCount => 1;

    private protected override int GateCount => 1;

    private protected override void BuildCell(int inputDim)
    {
        _kernel = AddWeight("kernel", [inputDim, Units], KernelInitializer, KernelRegularizer, constraint: KernelConstraint);
        _recurrentKernel = AddWeight("recurrent_kernel", [Units, Units], RecurrentInitializer, RecurrentRegularizer, constraint: RecurrentConstraint);
        if (UseBias) _bias = AddWeight("bias", [Units], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
    }

    private protected override string? FusedKernel => ActivationName switch { "tanh" => "rnn_tanh", "relu" => "rnn_relu", _ => null };

    private protected override bool FusedHasBiases => UseBias;

    private protected override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        var wih = _kernel!.Value.t();
        var whh = _recurrentKernel!.Value.t();
        if (_bias is null) return [wih, whh];
        return [wih, whh, _bias.Value, torch.zeros([Units], dtype: dtype, device: device)];
    }

    private protected override Tensor ProjectInputs(Tensor x, Tensor[]? dropoutMasks)
        => Project(x, _kernel!.Value, _bias?.Value, dropoutMasks, 1);

    private protected override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var h = _activation(projectedInput + ProjectState(states[0], _recurrentKernel!.Value, recurrentMasks, 1));
        return (h, [h]);
    }

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new SimpleRNN(Units, ActivationName, UseBias,
        _kernelInitializerArg, _recurrentInitializerArg, _biasInitializerArg, _kernelRegularizerArg, _recurrentRegularizerArg,
        _biasRegularizerArg, ActivityRegularizerArgument, _kernelConstraintArg, _recurrentConstraintArg, _biasConstraintArg, Dropout,
        RecurrentDropout, ReturnSequences, ReturnState, goBackwards, false, Unroll, Seed, ZeroOutputForMask, DeclaredInputShape, name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = LayerArguments.DescribeActivation(ActivationName);
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
        return c;
    }
}
