namespace Sharpkeras.Layers;

/// <summary>
/// 1D convolutional LSTM (Keras's <c>ConvLSTM1D</c>): an LSTM whose input and recurrent transformations are
/// 1D convolutions, over sequences (batch, time, steps, channels) (channels_last).
/// </summary>
/// <remarks>See <see cref="ConvLSTM"/> for outputs and states and <see cref="ConvLSTMCell"/> for the step and the weights.</remarks>
public sealed class ConvLSTM1D : ConvLSTM
{
    /// <summary>Creates the layer (Keras's arguments and defaults).</summary>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or a tuple of 1 int.</param>
    /// <param name="strides">The input convolution's strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (batch, time, steps, channels) or "channels_first" (batch, time, channels, steps) (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The input convolution's dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="activation">Activation of the cell input and output ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the layer has a bias.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
    /// <param name="unitForgetBias">Start the forget gate's bias block at ones.</param>
    /// <param name="kernelRegularizer">Regularizer of <c>kernel</c>.</param>
    /// <param name="recurrentRegularizer">Regularizer of <c>recurrent_kernel</c>.</param>
    /// <param name="biasRegularizer">Regularizer of <c>bias</c>.</param>
    /// <param name="activityRegularizer">Regularizer of the outputs.</param>
    /// <param name="kernelConstraint">Constraint of <c>kernel</c>.</param>
    /// <param name="recurrentConstraint">Constraint of <c>recurrent_kernel</c>.</param>
    /// <param name="biasConstraint">Constraint of <c>bias</c>.</param>
    /// <param name="dropout">Fraction of the input dropped while training, in [0, 1).</param>
    /// <param name="recurrentDropout">Fraction of the recurrent state dropped while training, in [0, 1).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="returnSequences">Return the whole output sequence (else the last output).</param>
    /// <param name="returnState">Also return the final h and c.</param>
    /// <param name="goBackwards">Process the sequence backwards and return the reversed sequence.</param>
    /// <param name="stateful">Start each batch from the previous batch's final states (see <see cref="RecurrentLayer.ResetStates"/>).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (time, steps, channels); time may be null.</param>
    /// <param name="name">Layer name.</param>
    public ConvLSTM1D(int filters, IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        IntTuple? dilationRate = null, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null, bool unitForgetBias = true,
        object? kernelRegularizer = null, object? recurrentRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null,
        object? kernelConstraint = null, object? recurrentConstraint = null, object? biasConstraint = null, double dropout = 0.0,
        double recurrentDropout = 0.0, int? seed = null, bool returnSequences = false, bool returnState = false, bool goBackwards = false,
        bool stateful = false, bool unroll = false, bool zeroOutputForMask = false, int?[]? inputShape = null, string? name = null)
        : base(1, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias, kernelInitializer,
            recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer,
            kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards,
            stateful, unroll, zeroOutputForMask, inputShape, name)
    {
    }
}
