using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The cell of <see cref="LSTM"/> (Keras's <c>keras.layers.LSTMCell</c>): one step, with gates in Keras's
/// order i, f, c, o: <c>z = x·kernel + h·recurrent_kernel + bias</c>; <c>i = σ(z_i)</c>, <c>f = σ(z_f)</c>,
/// <c>c' = f·c + i·tanh(z_c)</c>, <c>o = σ(z_o)</c>, <c>h' = o·tanh(c')</c> (σ = recurrentActivation,
/// tanh = activation). States [h, c]; output h.
/// </summary>
/// <remarks>
/// Weights: <c>kernel</c> (inputDim, 4·units), <c>recurrent_kernel</c> (units, 4·units), <c>bias</c> (4·units).
/// <c>RNN(new LSTMCell(n))</c> computes exactly what <c>LSTM(n)</c> computes, with the same fused fast path.
/// </remarks>
public sealed class LSTMCell : DropoutRNNCell
{
    private readonly Func<Tensor, Tensor> _recurrentActivation;

    /// <summary>Creates the cell (Keras's arguments and defaults).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation of the cell input and output ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the cell has a bias.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
    /// <param name="unitForgetBias">Add 1 to the forget-gate bias at initialization (the forget block is set to ones).</param>
    /// <param name="kernelRegularizer">Regularizer of <c>kernel</c>.</param>
    /// <param name="recurrentRegularizer">Regularizer of <c>recurrent_kernel</c>.</param>
    /// <param name="biasRegularizer">Regularizer of <c>bias</c>.</param>
    /// <param name="kernelConstraint">Constraint of <c>kernel</c>.</param>
    /// <param name="recurrentConstraint">Constraint of <c>recurrent_kernel</c>.</param>
    /// <param name="biasConstraint">Constraint of <c>bias</c>.</param>
    /// <param name="dropout">Fraction of input features dropped while training, in [0, 1).</param>
    /// <param name="recurrentDropout">Fraction of the recurrent state dropped while training, in [0, 1).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="name">Cell name.</param>
    public LSTMCell(int units, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null,
        bool unitForgetBias = true, object? kernelRegularizer = null, object? recurrentRegularizer = null,
        object? biasRegularizer = null, object? kernelConstraint = null, object? recurrentConstraint = null,
        object? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null, string? name = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, name)
    {
        RecurrentActivationName = recurrentActivation;
        _recurrentActivation = LayerArguments.Activation(recurrentActivation, nameof(recurrentActivation));
        UnitForgetBias = unitForgetBias;
    }

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName { get; }

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias { get; }

    /// <inheritdoc />
    public override int[] StateSize => [Units, Units];

    private protected override int GateCount => 4;

    private protected override KerasVariable BuildBias(long[] shape) => UnitForgetBias ? BuildForgetBias(shape) : base.BuildBias(shape);

    internal override string? FusedKernel => ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? "lstm" : null;

    internal override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        // torch's gate order (i, f, g, o) is Keras's (i, f, c, o): only transposes; Keras's single bias is b_ih, b_hh = 0.
        var wih = Kernel.Value.t().contiguous();
        var whh = RecurrentKernel.Value.t().contiguous();
        if (Bias is null) return [wih, whh];
        return [wih, whh, Bias.Value, torch.zeros([4L * Units], dtype: dtype, device: device)];
    }

    internal override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var (h, c) = Gates(projectedInput + ProjectState(states[0], recurrentMasks), states[1], Activation, _recurrentActivation);
        return (h, [h, c]);
    }

    /// <summary>
    /// The LSTM update from the pre-activations <paramref name="z"/> (gates i, f, c, o stacked on axis 1) and the previous
    /// carry: <c>c' = σ(z_f)·c + σ(z_i)·tanh(z_c)</c>, <c>h' = σ(z_o)·tanh(c')</c> (shared with <see cref="ConvLSTMCell"/>).
    /// </summary>
    internal static (Tensor h, Tensor c) Gates(Tensor z, Tensor c, Func<Tensor, Tensor> activation, Func<Tensor, Tensor> recurrentActivation)
    {
        var gates = z.chunk(4, 1);
        var next = recurrentActivation(gates[1]) * c + recurrentActivation(gates[0]) * activation(gates[2]);
        return (recurrentActivation(gates[3]) * activation(next), next);
    }

    /// <inheritdoc />
    public override RNNCell CloneCell() => new LSTMCell(Units, ActivationName, RecurrentActivationName, UseBias,
        KernelSpec.InitializerArgument, RecurrentSpec.InitializerArgument, BiasSpec.InitializerArgument, UnitForgetBias,
        KernelSpec.RegularizerArgument, RecurrentSpec.RegularizerArgument, BiasSpec.RegularizerArgument, KernelSpec.ConstraintArgument,
        RecurrentSpec.ConstraintArgument, BiasSpec.ConstraintArgument, Dropout, RecurrentDropout, Seed, Name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        WriteLstmConfig(c);
        return c;
    }

    internal void WriteLstmConfig(Dictionary<string, object?> c) => WriteLstmConfig(c, RecurrentActivationName, UnitForgetBias);

    /// <summary>Writes the LSTM's own arguments (shared with <see cref="ConvLSTMCell"/>).</summary>
    internal static void WriteLstmConfig(Dictionary<string, object?> c, string? recurrentActivation, bool unitForgetBias)
    {
        c["recurrent_activation"] = LayerArguments.DescribeActivation(recurrentActivation);
        c["unit_forget_bias"] = unitForgetBias;
    }
}
