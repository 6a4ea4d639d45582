namespace Sharpkeras.Layers;

/// <summary>
/// Long Short-Term Memory layer (Hochreiter 1997; Keras's <c>keras.layers.LSTM</c>): an <see cref="RNN"/> over an
/// <see cref="LSTMCell"/> (named "lstm_cell"). Per step, with gates in Keras's order i, f, c, o:
/// <c>z = x·kernel + h·recurrent_kernel + bias</c>; <c>i = σ(z_i)</c>, <c>f = σ(z_f)</c>,
/// <c>c' = f·c + i·tanh(z_c)</c>, <c>o = σ(z_o)</c>, <c>h' = o·tanh(c')</c> (σ = recurrentActivation, tanh = activation).
/// </summary>
/// <remarks>
/// Weights in Keras's layout: <c>kernel</c> (inputDim, 4·units), <c>recurrent_kernel</c> (units, 4·units),
/// <c>bias</c> (4·units) — e.g. 64 units on 64 features: 64·256 + 64·256 + 256 = 33,024 parameters.
/// With <c>returnState</c> the outputs are [output, h, c]; initial states go in as <c>[x, h0, c0]</c>.
/// Computation, masking and dropout: see <see cref="RecurrentLayer"/>.
/// </remarks>
public sealed class LSTM : DropoutRNN
{
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
    /// <param name="stateful">Start each batch from the previous batch's final states (see <see cref="RecurrentLayer.ResetStates"/>).</param>
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
        : base(new LSTMCell(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint, dropout, recurrentDropout, seed, name: "lstm_cell"),
            returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
    }

    private LSTMCell LstmCell => (LSTMCell)Cell;

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName => LstmCell.RecurrentActivationName;

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias => LstmCell.UnitForgetBias;

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new LSTM(Units, ActivationName, RecurrentActivationName,
        UseBias, LstmCell.KernelSpec.InitializerArgument, LstmCell.RecurrentSpec.InitializerArgument, LstmCell.BiasSpec.InitializerArgument,
        UnitForgetBias, LstmCell.KernelSpec.RegularizerArgument, LstmCell.RecurrentSpec.RegularizerArgument, LstmCell.BiasSpec.RegularizerArgument,
        ActivityRegularizerArgument, LstmCell.KernelSpec.ConstraintArgument, LstmCell.RecurrentSpec.ConstraintArgument,
        LstmCell.BiasSpec.ConstraintArgument, Dropout, RecurrentDropout, Seed, ReturnSequences, ReturnState, goBackwards, Stateful, Unroll,
        ZeroOutputForMask, DeclaredInputShape, name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        LstmCell.WriteLstmConfig(c);
        return c;
    }
}
