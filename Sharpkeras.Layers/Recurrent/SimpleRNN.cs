namespace Sharpkeras.Layers;

/// <summary>
/// Fully-connected recurrent layer whose output is fed back as its state (Keras's <c>keras.layers.SimpleRNN</c>):
/// an <see cref="RNN"/> over a <see cref="SimpleRNNCell"/> (named "simple_rnn_cell"),
/// <c>h' = activation(x·kernel + bias + h·recurrent_kernel)</c>.
/// </summary>
/// <remarks>
/// Weights in Keras's layout: <c>kernel</c> (inputDim, units), <c>recurrent_kernel</c> (units, units),
/// <c>bias</c> (units) — 64 units on 64 features: 64·64 + 64·64 + 64 = 8,256 parameters. "tanh" and "relu"
/// run libtorch's fused kernels; other activations the per-step loop. Computation, masking and dropout:
/// see <see cref="RecurrentLayer"/>.
/// </remarks>
public sealed class SimpleRNN : DropoutRNN
{
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
    /// <param name="stateful">Start each batch from the previous batch's final states (see <see cref="RecurrentLayer.ResetStates"/>).</param>
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
        : base(new SimpleRNNCell(units, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer,
                recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout,
                seed, name: "simple_rnn_cell"),
            returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
    }

    private SimpleRNNCell RnnCell => (SimpleRNNCell)Cell;

    internal override RecurrentLayer CloneWith(string name, bool goBackwards) => new SimpleRNN(Units, ActivationName, UseBias,
        RnnCell.KernelSpec.InitializerArgument, RnnCell.RecurrentSpec.InitializerArgument, RnnCell.BiasSpec.InitializerArgument,
        RnnCell.KernelSpec.RegularizerArgument, RnnCell.RecurrentSpec.RegularizerArgument, RnnCell.BiasSpec.RegularizerArgument,
        ActivityRegularizerArgument, RnnCell.KernelSpec.ConstraintArgument, RnnCell.RecurrentSpec.ConstraintArgument,
        RnnCell.BiasSpec.ConstraintArgument, Dropout, RecurrentDropout, ReturnSequences, ReturnState, goBackwards, Stateful, Unroll, Seed,
        ZeroOutputForMask, DeclaredInputShape, name);
}
