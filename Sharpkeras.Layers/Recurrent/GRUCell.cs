using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The cell of <see cref="GRU"/> (Keras's <c>keras.layers.GRUCell</c>): one step, with gates in Keras's order
/// z (update), r (reset), h (candidate) and Keras 3's default <c>resetAfter: true</c>:
/// <c>z = σ(x·W_z + b_z + h·U_z + b'_z)</c>, <c>r = σ(x·W_r + b_r + h·U_r + b'_r)</c>,
/// <c>ĥ = tanh(x·W_h + b_h + r ⊙ (h·U_h + b'_h))</c>, <c>h' = z ⊙ h + (1 − z) ⊙ ĥ</c>.
/// With <c>resetAfter: false</c>: <c>ĥ = tanh(x·W_h + b_h + (r ⊙ h)·U_h)</c> and a single bias.
/// </summary>
/// <remarks>
/// Weights: <c>kernel</c> (inputDim, 3·units) [z | r | h], <c>recurrent_kernel</c> (units, 3·units),
/// <c>bias</c> (2, 3·units) = [input bias; recurrent bias] (resetAfter) or (3·units). libtorch's GRU orders the
/// gates r, z, n: the blocks are reordered when the fused kernel is fed (resetAfter: true only).
/// </remarks>
public sealed class GRUCell : DropoutRNNCell
{
    private readonly Func<Tensor, Tensor> _recurrentActivation;

    /// <summary>Creates the cell (Keras's arguments and defaults).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation of the candidate state ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the cell has biases.</param>
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
    /// <param name="resetAfter">Apply the reset gate after the recurrent matmul (Keras 3 default; two biases).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="name">Cell name.</param>
    public GRUCell(int units, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? recurrentRegularizer = null, object? biasRegularizer = null,
        object? kernelConstraint = null, object? recurrentConstraint = null, object? biasConstraint = null,
        double dropout = 0.0, double recurrentDropout = 0.0, bool resetAfter = true, int? seed = null, string? name = null)
        : base(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
            recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, name)
    {
        RecurrentActivationName = recurrentActivation;
        _recurrentActivation = LayerArguments.Activation(recurrentActivation, nameof(recurrentActivation));
        ResetAfter = resetAfter;
    }

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName { get; }

    /// <summary>Whether the reset gate is applied after the recurrent matmul.</summary>
    public bool ResetAfter { get; }

    private protected override int GateCount => 3;

    private protected override long[] BiasShape => ResetAfter ? [2L, 3L * Units] : [3L * Units];

    private protected override Tensor? InputBias => Bias is null ? null : ResetAfter ? Bias.Value[0] : Bias.Value;

    internal override string? FusedKernel =>
        ResetAfter && ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? "gru" : null;

    internal override Tensor[] FusedParameters(ScalarType dtype, Device device)
    {
        var wih = SwapFirstTwoBlocks(Kernel.Value, Units).t();
        var whh = SwapFirstTwoBlocks(RecurrentKernel.Value, Units).t();
        if (Bias is null) return [wih, whh];
        var b = SwapFirstTwoBlocks(Bias.Value, Units);
        return [wih, whh, b[0], b[1]];
    }

    internal override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var h = states[0];
        var u = Units;
        var xs = projectedInput.chunk(3, 1);
        Tensor z, reset, candidate;
        if (ResetAfter)
        {
            var inner = ProjectState(h, recurrentMasks);
            if (Bias is not null) inner = inner + Bias.Value[1];
            var hs = inner.chunk(3, 1);
            z = _recurrentActivation(xs[0] + hs[0]);
            reset = _recurrentActivation(xs[1] + hs[1]);
            candidate = Activation(xs[2] + reset * hs[2]);
        }
        else
        {
            var r = RecurrentKernel.Value;
            Tensor Masked(int g) => recurrentMasks is null ? h : h * recurrentMasks[recurrentMasks.Length == 1 ? 0 : g];
            z = _recurrentActivation(xs[0] + Masked(0).matmul(r.narrow(1, 0, u)));
            reset = _recurrentActivation(xs[1] + Masked(1).matmul(r.narrow(1, u, u)));
            candidate = Activation(xs[2] + (reset * Masked(2)).matmul(r.narrow(1, 2 * u, u)));
        }
        var next = z * h + (1 - z) * candidate;
        return (next, [next]);
    }

    /// <inheritdoc />
    public override RNNCell CloneCell() => new GRUCell(Units, ActivationName, RecurrentActivationName, UseBias,
        KernelSpec.InitializerArgument, RecurrentSpec.InitializerArgument, BiasSpec.InitializerArgument, KernelSpec.RegularizerArgument,
        RecurrentSpec.RegularizerArgument, BiasSpec.RegularizerArgument, KernelSpec.ConstraintArgument, RecurrentSpec.ConstraintArgument,
        BiasSpec.ConstraintArgument, Dropout, RecurrentDropout, ResetAfter, Seed, Name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        WriteGruConfig(c);
        return c;
    }

    internal void WriteGruConfig(Dictionary<string, object?> c)
    {
        c["recurrent_activation"] = LayerArguments.DescribeActivation(RecurrentActivationName);
        c["reset_after"] = ResetAfter;
    }
}
