using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The cell of <see cref="ConvLSTM1D"/>, <see cref="ConvLSTM2D"/> and <see cref="ConvLSTM3D"/> (Keras's
/// <c>ConvLSTMCell</c>): an LSTM step whose input and recurrent transformations are convolutions, so its input,
/// output and states are feature maps. With gates in Keras's order i, f, c, o:
/// <c>z = conv(x, kernel) + bias + conv_same(h, recurrent_kernel)</c>; <c>c' = σ(z_f)·c + σ(z_i)·tanh(z_c)</c>,
/// <c>h' = σ(z_o)·tanh(c')</c> (σ = recurrentActivation, tanh = activation). States [h, c]; output h.
/// </summary>
/// <remarks>
/// <para>
/// Shapes (channels_last, the default): step input (batch, *spatial, channels); output and both states
/// (batch, *outSpatial, filters), where each output length is a convolution's with the given kernel size, strides,
/// padding and dilation rate. The input convolution uses those arguments; the recurrent one always uses stride 1
/// and "same" padding, so the states keep their size. The spatial dimensions must be known when the cell is built.
/// </para>
/// <para>
/// Weights in Keras's layout: <c>kernel</c> (*kernelSize, channels, 4·filters), <c>recurrent_kernel</c>
/// (*kernelSize, filters, 4·filters), <c>bias</c> (4·filters) — ConvLSTM2D(64, 3) on one channel has
/// 4·64·(3·3·1) + 4·64·(3·3·64) + 4·64 = 150,016 parameters. Dropout draws four masks of the step input's
/// shape (one per gate) and <c>recurrentDropout</c> four of the state's, once per sequence, as Keras does.
/// Over a sequence the input convolution runs once for all timesteps.
/// </para>
/// </remarks>
public sealed class ConvLSTMCell : DropoutRNNCell
{
    private readonly ConvGeometry _geometry;
    private readonly ConvGeometry _recurrentGeometry;
    private readonly Func<Tensor, Tensor> _recurrentActivation;

    /// <summary>Creates the cell (Keras's arguments and defaults).</summary>
    /// <param name="rank">The number of spatial dimensions: 1, 2 or 3.</param>
    /// <param name="filters">The number of output channels, of the output and of each state (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The input convolution's strides (default 1).</param>
    /// <param name="padding">The input convolution's padding, "valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (batch, *spatial, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The input convolution's dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="activation">Activation of the cell input and output ("tanh"; null = linear).</param>
    /// <param name="recurrentActivation">Activation of the gates ("sigmoid"; null = linear).</param>
    /// <param name="useBias">Whether the cell has a bias.</param>
    /// <param name="kernelInitializer">Initializer of <c>kernel</c> (default "glorot_uniform").</param>
    /// <param name="recurrentInitializer">Initializer of <c>recurrent_kernel</c> (default "orthogonal").</param>
    /// <param name="biasInitializer">Initializer of <c>bias</c> (default "zeros").</param>
    /// <param name="unitForgetBias">Start the forget gate's bias block at ones.</param>
    /// <param name="kernelRegularizer">Regularizer of <c>kernel</c>.</param>
    /// <param name="recurrentRegularizer">Regularizer of <c>recurrent_kernel</c>.</param>
    /// <param name="biasRegularizer">Regularizer of <c>bias</c>.</param>
    /// <param name="kernelConstraint">Constraint of <c>kernel</c>.</param>
    /// <param name="recurrentConstraint">Constraint of <c>recurrent_kernel</c>.</param>
    /// <param name="biasConstraint">Constraint of <c>bias</c>.</param>
    /// <param name="dropout">Fraction of the input dropped while training, in [0, 1).</param>
    /// <param name="recurrentDropout">Fraction of the recurrent state dropped while training, in [0, 1).</param>
    /// <param name="seed">Seed of the dropout masks.</param>
    /// <param name="name">Cell name.</param>
    public ConvLSTMCell(int rank, int filters, IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        IntTuple? dilationRate = null, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        object? kernelInitializer = null, object? recurrentInitializer = null, object? biasInitializer = null, bool unitForgetBias = true,
        object? kernelRegularizer = null, object? recurrentRegularizer = null, object? biasRegularizer = null, object? kernelConstraint = null,
        object? recurrentConstraint = null, object? biasConstraint = null, double dropout = 0.0, double recurrentDropout = 0.0, int? seed = null,
        string? name = null)
        : base(filters, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, kernelRegularizer, recurrentRegularizer,
            biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout, seed, name, unitsArgument: nameof(filters))
    {
        string owner = $"{GetType().Name} '{Name}'";
        if (rank is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"{owner}: rank must be 1, 2 or 3; got {rank}.");
        _geometry = new ConvGeometry(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, owner);
        _recurrentGeometry = new ConvGeometry(rank, kernelSize, 1, "same", allowCausal: false, "channels_first", 1, owner);
        RecurrentActivationName = recurrentActivation;
        _recurrentActivation = LayerArguments.Activation(recurrentActivation, nameof(recurrentActivation));
        UnitForgetBias = unitForgetBias;
    }

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank => _geometry.Rank;

    /// <summary>The number of output channels (the same as <see cref="DropoutRNNCell.Units"/>).</summary>
    public int Filters => Units;

    /// <summary>The kernel's size, one value per spatial dimension.</summary>
    public int[] KernelSize => _geometry.KernelSize;

    /// <summary>The input convolution's strides.</summary>
    public int[] Strides => _geometry.Strides;

    /// <summary>The input convolution's padding: "valid" or "same".</summary>
    public string Padding => _geometry.Padding;

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat => _geometry.DataFormat;

    /// <summary>The input convolution's dilation rate.</summary>
    public int[] DilationRate => _geometry.DilationRate;

    /// <summary>Gate activation alias (null = linear).</summary>
    public string? RecurrentActivationName { get; }

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias { get; }

    /// <inheritdoc />
    public override int[] StateSize => [Units, Units];

    private protected override int GateCount => 4;

    /// <summary>Keras's ConvLSTMCell always draws one mask per gate.</summary>
    private protected override int MaskCount => 4;

    internal override int? StepRank => Rank + 2;

    // ------------------------------------------------------------------------------------------ shapes and weights

    private void CheckStepRank(int?[] inputShape)
    {
        if (inputShape.Length == Rank + 2) return;
        string dims = Rank switch { 1 => "steps", 2 => "rows, cols", _ => "depth, rows, cols" };
        string layout = _geometry.ChannelsLast ? $"(batch, {dims}, channels)" : $"(batch, channels, {dims})";
        throw new ArgumentException(
            $"Cell '{Name}' (ConvLSTMCell, rank {Rank}) takes step inputs of rank {Rank + 2} {layout}; got shape {ShapeUtils.Format(inputShape)}.", nameof(inputShape));
    }

    /// <summary>The output shape (batch first): each spatial length a convolution's, with <see cref="Filters"/> channels.</summary>
    /// <param name="inputShape">The step input's shape (batch, *spatial, channels) in the cell's data format.</param>
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckStepRank(inputShape);
        var spatial = _geometry.Spatial(inputShape);
        var output = _geometry.Shape(inputShape[0], spatial.Select(_geometry.OutputLength).ToArray(), Units);
        if (spatial.Any(d => d is <= 0) || _geometry.Spatial(output).Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this,
                $"the kernel {ConvGeometry.Fmt(KernelSize)} (strides {ConvGeometry.Fmt(Strides)}, dilation rate {ConvGeometry.Fmt(DilationRate)})",
                inputShape, output, Padding);
        return output;
    }

    /// <summary>Both states (h and c) have the output's shape.</summary>
    /// <param name="inputShape">The step input's shape (batch, *spatial, channels) in the cell's data format.</param>
    public override int?[][] ComputeStateShapes(int?[] inputShape)
    {
        var output = ComputeOutputShape(inputShape);
        return [output, output.ToArray()];
    }

    /// <summary>Zeros of the state shape for the spatial size the cell was built on (Keras's <c>get_initial_state</c>).</summary>
    /// <param name="batchSize">Number of sequences.</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="device">Device.</param>
    public override Tensor[] GetInitialState(long batchSize, ScalarType dtype, Device device)
    {
        var step = StepShape ?? throw new InvalidOperationException(
            $"Cell '{Name}' (ConvLSTMCell) is not built yet: its states' spatial size comes from the input it is built on.");
        return ComputeStateShapes([(int)batchSize, .. step])
            .Select(s => torch.zeros(s.Select(d => (long)d!.Value).ToArray(), dtype: dtype, device: device)).ToArray();
    }

    private protected override (int inputDim, long[] kernel, long[] recurrentKernel, int[]? permutation) KernelShapes(int?[] inputShape)
    {
        CheckStepRank(inputShape);
        if (_geometry.Spatial(inputShape).Any(d => d is null))
            throw new ArgumentException(
                $"Cell '{Name}' (ConvLSTMCell) needs known spatial dimensions (Keras's ConvLSTM layers take static spatial shapes); got {ShapeUtils.Format(inputShape)}.",
                nameof(inputShape));
        if (_geometry.Channels(inputShape) is not int channels)
            throw new ArgumentException(
                $"The channel dimension of the input of cell '{Name}' (ConvLSTMCell) must be known; got shape {ShapeUtils.Format(inputShape)}.", nameof(inputShape));
        ComputeOutputShape(inputShape);
        long[] kernelSize = KernelSize.Select(k => (long)k).ToArray();
        // Keras (*k, in, out) → torch (out, in, *k), as for Conv layers.
        int[] toTorch = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        return (channels, [.. kernelSize, channels, 4L * Units], [.. kernelSize, Units, 4L * Units], toTorch);
    }

    private protected override KerasVariable BuildBias(long[] shape) => UnitForgetBias ? BuildForgetBias(shape) : base.BuildBias(shape);

    // ------------------------------------------------------------------------------------------ step

    /// <summary>
    /// The input convolution (bias included) of one step (batch, *spatial, channels) or of every step at once
    /// (batch, time, *spatial, channels): gives (batch[, time], 4·filters, *outSpatial), channels first.
    /// With dropout masks each gate convolves its own masked input.
    /// </summary>
    internal override Tensor ProjectInputs(Tensor x, Tensor[]? masks)
    {
        bool sequence = x.dim() == Rank + 3;
        Tensor Fold(Tensor v) => _geometry.ToChannelsFirst(sequence ? v.flatten(0, 1) : v);
        var kernel = Kernel.Value;
        var bias = Bias?.Value;
        Tensor y;
        if (masks is null) y = _geometry.Forward(Fold(x), kernel, bias);
        else
        {
            var kernels = kernel.chunk(4, 0);
            var biases = bias?.chunk(4);
            y = torch.cat(kernels.Select((k, g) => _geometry.Forward(Fold(x * (sequence ? masks[g].unsqueeze(1) : masks[g])), k, biases?[g])).ToArray(), 1);
        }
        return sequence ? y.reshape([x.shape[0], x.shape[1], .. y.shape[1..]]) : y;
    }

    internal override (Tensor output, Tensor[] states) Step(Tensor projectedInput, Tensor[] states, Tensor[]? recurrentMasks)
    {
        var h = states[0];
        var recurrentKernel = RecurrentKernel.Value;
        var z = recurrentMasks is null
            ? _recurrentGeometry.Forward(_geometry.ToChannelsFirst(h), recurrentKernel, null)
            : torch.cat(recurrentKernel.chunk(4, 0)
                .Select((k, g) => _recurrentGeometry.Forward(_geometry.ToChannelsFirst(h * recurrentMasks[g]), k, null)).ToArray(), 1);
        var (next, carry) = LSTMCell.Gates(projectedInput + z, _geometry.ToChannelsFirst(states[1]), Activation, _recurrentActivation);
        next = _geometry.FromChannelsFirst(next);
        return (next, [next, _geometry.FromChannelsFirst(carry)]);
    }

    internal override string? FusedKernel => null;

    internal override Tensor[] FusedParameters(ScalarType dtype, Device device)
        => throw new InvalidOperationException("ConvLSTMCell has no fused kernel.");

    // ------------------------------------------------------------------------------------------ config

    private protected override void WriteKindConfig(Dictionary<string, object?> config)
    {
        config["filters"] = Units;
        _geometry.WriteConfig(config);
        LSTMCell.WriteLstmConfig(config, RecurrentActivationName, UnitForgetBias);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rank"] = Rank;
        return c;
    }
}
