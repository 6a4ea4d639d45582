namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="ConvLSTM1D"/>, <see cref="ConvLSTM2D"/> and <see cref="ConvLSTM3D"/> (Keras's
/// <c>ConvLSTM</c>): an <see cref="RNN"/> over a <see cref="ConvLSTMCell"/> (named "conv_lstm_cell"), an LSTM whose
/// input and recurrent transformations are convolutions. It runs over sequences of feature maps
/// (batch, time, *spatial, channels) in channels_last, (batch, time, channels, *spatial) in channels_first.
/// </summary>
/// <remarks>
/// Outputs: the last h (batch, *outSpatial, filters), or every step's with <c>returnSequences</c>
/// (batch, time, *outSpatial, filters); with <c>returnState</c> [output, h, c] (use <c>ApplyMulti</c>); initial
/// states go in as [x, h0, c0]. The cell's arguments are the layer's own (<see cref="DropoutRNN.Units"/> is
/// <see cref="Filters"/>) and its weights too (<c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>, in Keras's layout;
/// see <see cref="ConvLSTMCell"/>). Masks (batch, time), <c>goBackwards</c>, <c>stateful</c> with
/// <see cref="RecurrentLayer.ResetStates"/> and <see cref="Bidirectional"/> work as for <see cref="LSTM"/> (the
/// per-timestep loop; there is no fused kernel). Not exportable to ONNX.
/// </remarks>
public abstract class ConvLSTM : DropoutRNN
{
    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    private protected ConvLSTM(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, string? activation, string? recurrentActivation, bool useBias, object? kernelInitializer,
        object? recurrentInitializer, object? biasInitializer, bool unitForgetBias, object? kernelRegularizer, object? recurrentRegularizer,
        object? biasRegularizer, object? activityRegularizer, object? kernelConstraint, object? recurrentConstraint, object? biasConstraint,
        double dropout, double recurrentDropout, int? seed, bool returnSequences, bool returnState, bool goBackwards, bool stateful,
        bool unroll, bool zeroOutputForMask, int?[]? inputShape, string? name)
        : base(new ConvLSTMCell(rank, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer, biasRegularizer,
                kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, name: "conv_lstm_cell"),
            returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
    }

    private ConvLSTMCell ConvCell => (ConvLSTMCell)Cell;

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank => ConvCell.Rank;

    /// <summary>The number of output channels, of the output and of each state.</summary>
    public int Filters => ConvCell.Filters;

    /// <summary>The kernel's size, one value per spatial dimension.</summary>
    public int[] KernelSize => ConvCell.KernelSize;

    /// <summary>The input convolution's strides.</summary>
    public int[] Strides => ConvCell.Strides;

    /// <summary>The input convolution's padding: "valid" or "same".</summary>
    public string Padding => ConvCell.Padding;

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat => ConvCell.DataFormat;

    /// <summary>The input convolution's dilation rate.</summary>
    public int[] DilationRate => ConvCell.DilationRate;

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName => ConvCell.RecurrentActivationName;

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias => ConvCell.UnitForgetBias;
}
