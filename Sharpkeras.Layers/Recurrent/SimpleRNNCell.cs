using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The cell of <see cref="SimpleRNN"/> (Keras's <c>keras.layers.SimpleRNNCell</c>): one step
/// <c>h' = activation(x·kernel + bias + h·recurrent_kernel)</c>; state [h], output h.
/// </summary>
/// <remarks>Weights: <c>kernel</c> (inputDim, units), <c>recurrent_kernel</c> (units, units), <c>bias</c> (units).</remarks>
public sealed class SimpleRNNCell : DropoutRNNCell
{
    /// <summary>Creates the cell (Keras's arguments and defaults).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation ("tanh"; null = linear).</param>
    /// <param name="useBias">Whether the cell has a bias.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
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
    public SimpleRNNCell(int units, string? activation = "tanh", bool useBias = true, object? kernelInitializer = null,
        object? recurrentInitializer = null, object? biasInitializer = null, object? kernelRegularizer = null,
        object? recurrentRegularizer = null, object? biasRegularizer = null, object? kernelConstraint = null,
        object? recurrentConstraint = null, object? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0,
        int? seed = null, string? name = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, name)
    {
    }

    private protected override int GateCount => 1;

    internal override string? FusedKernel => ActivationName switch { "tanh" => "rnn_tanh", "relu" => "rnn_relu", _ => null };

    internal override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        var wih = Kernel.Value.t();
        var whh = RecurrentKernel.Value.t();
        if (Bias is null) return [wih, whh];
        return [wih, whh, Bias.Value, torch.zeros([Units], dtype: dtype, device: device)];
    }

    internal override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var h = Activation(projectedInput + ProjectState(states[0], recurrentMasks));
        return (h, [h]);
    }

    /// <inheritdoc />
    public override RNNCell CloneCell() => new SimpleRNNCell(Units, ActivationName, UseBias, KernelSpec.InitializerArgument,
        RecurrentSpec.InitializerArgument, BiasSpec.InitializerArgument, KernelSpec.RegularizerArgument, RecurrentSpec.RegularizerArgument,
        BiasSpec.RegularizerArgument, KernelSpec.ConstraintArgument, RecurrentSpec.ConstraintArgument, BiasSpec.ConstraintArgument,
        Dropout, RecurrentDropout, Seed, Name);
}
