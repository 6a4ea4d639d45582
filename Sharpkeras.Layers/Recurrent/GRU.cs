namespace Sharpkeras.Layers;

/// <summary>
/// Gated Recurrent Unit (Cho et al. 2014; Keras's <c>keras.layers.GRU</c>): an <see cref="RNN"/> over a
/// <see cref="GRUCell"/> (named "gru_cell"). Per step, with gates in Keras's order z (update), r (reset),
/// h (candidate) and Keras 3's default <c>resetAfter: true</c>:
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
public sealed class GRU : DropoutRNN
{
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
    /// <param name="stateful">Start each batch from the previous batch's final states (see <see cref="RecurrentLayer.ResetStates"/>).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="resetAfter">Apply the reset gate after the recurrent matmul (Keras 3 default; two biases).</param>
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
        : base(new GRUCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, resetAfter, seed, name: "gru_cell"),
            returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
    }

    private GRUCell GruCell => (GRUCell)Cell;

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName => GruCell.RecurrentActivationName;

    /// <summary>Whether the reset gate is applied after the recurrent matmul.</summary>
    public bool ResetAfter => GruCell.ResetAfter;

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new GRU(Units, ActivationName, RecurrentActivationName,
        UseBias, GruCell.KernelSpec.InitializerArgument, GruCell.RecurrentSpec.InitializerArgument, GruCell.BiasSpec.InitializerArgument,
        GruCell.KernelSpec.RegularizerArgument, GruCell.RecurrentSpec.RegularizerArgument, GruCell.BiasSpec.RegularizerArgument,
        ActivityRegularizerArgument, GruCell.KernelSpec.ConstraintArgument, GruCell.RecurrentSpec.ConstraintArgument,
        GruCell.BiasSpec.ConstraintArgument, Dropout, RecurrentDropout, Seed, ReturnSequences, ReturnState, goBackwards, Stateful, Unroll,
        ResetAfter, ZeroOutputForMask, DeclaredInputShape, name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        GruCell.WriteGruConfig(c);
        return c;
    }
}
