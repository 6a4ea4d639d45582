using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// What every convolution layer shares — plain (<see cref="BaseConv"/>), transposed (<see cref="BaseConvTranspose"/>),
/// depthwise (<see cref="BaseDepthwiseConv"/>) and separable (<see cref="BaseSeparableConv"/>): the spatial
/// arguments (kernel size, strides, padding, data format, dilation rate), activation, bias and activity
/// regularizer, the input checks, the channels_last ↔ channels_first views, the output shape, and the config.
/// Each kind supplies only its small strategy: its kernels, its torch call, its output length and channels.
/// </summary>
/// <remarks>
/// Kernels have Keras's shapes for <see cref="Layer.GetWeights"/>/<see cref="Layer.SetWeights"/> and are stored in
/// torch's layout, so no weight is copied per call. A channels_last input is viewed as channels_first through a
/// permutation (no copy: libtorch's kernels handle its channels_last memory strides) and the output is permuted back.
/// "same" padding follows TF/Keras: output length ceil(n / stride), total padding
/// max((out − 1)·stride + (k − 1)·dilation + 1 − n, 0), the odd cell at the end.
/// </remarks>
public abstract class BaseConvolution : Layer
{
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly Func<Tensor, Tensor>? _activationInPlace;
    private readonly ConvGeometry _geometry;

    private protected BaseConvolution(int rank, IntTuple kernelSize, IntTuple? strides, string padding, bool allowCausal, string? dataFormat,
        IntTuple? dilationRate, string? activation, bool useBias, object? biasInitializer, object? biasRegularizer,
        object? biasConstraint, object? activityRegularizer, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        _geometry = new ConvGeometry(rank, kernelSize, strides, padding, allowCausal, dataFormat, dilationRate, Owner);
        ActivationName = Activations.Validate(activation);
        _activation = Activations.Get(activation);
        _activationInPlace = Activations.InPlace(_activation);
        UseBias = useBias;
        BiasSpec = new WeightSpec("bias", biasInitializer, biasRegularizer, biasConstraint, "zeros");
        ActivityRegularizerArgument = activityRegularizer;
        ActivityRegularizer = LayerArguments.Regularizer(activityRegularizer, nameof(activityRegularizer));
    }

    private protected string Owner => $"{GetType().Name} '{Name}'";

    private protected static string Fmt(int[] v) => ConvGeometry.Fmt(v);

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank => _geometry.Rank;

    /// <summary>The kernel's spatial size, one value per dimension.</summary>
    public int[] KernelSize => _geometry.KernelSize;

    /// <summary>The strides, one value per dimension.</summary>
    public int[] Strides => _geometry.Strides;

    /// <summary>"valid", "same" or (Conv1D) "causal".</summary>
    public string Padding => _geometry.Padding;

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat => _geometry.DataFormat;

    /// <summary>The dilation rate, one value per dimension.</summary>
    public int[] DilationRate => _geometry.DilationRate;

    /// <summary>Activation alias, or null.</summary>
    public string? ActivationName { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Initializer, regularizer and constraint of the bias.</summary>
    public WeightSpec BiasSpec { get; }

    /// <summary>Bias initializer.</summary>
    public Initializers.Initializer BiasInitializer => BiasSpec.Initializer;

    /// <summary>Bias regularizer.</summary>
    public Regularizers.Regularizer? BiasRegularizer => BiasSpec.Regularizer;

    /// <summary>Bias constraint.</summary>
    public Constraints.Constraint? BiasConstraint => BiasSpec.Constraint;


    private object? ActivityRegularizerArgument { get; }

    /// <summary>The bias weight (after build; null without bias).</summary>
    public KerasVariable? Bias => _bias;

    private protected long[] StridesLong => _geometry.StridesLong;

    private protected long[] DilationLong => _geometry.DilationLong;

    private bool ChannelsLast => _geometry.ChannelsLast;

    private int? InputChannels(int?[] shape) => _geometry.Channels(shape);

    private void CheckRank(int?[] inputShape) => ConvUtils.CheckSpatialRank(this, inputShape, Rank, ChannelsLast);

    // ------------------------------------------------------------------------------------------ strategy

    /// <summary>Checks the input channel count before the kernels are made (e.g. divisibility by groups).</summary>
    private protected virtual void CheckInputChannels(int channels, int?[] inputShape)
    {
    }

    /// <summary>Creates the kernels for <paramref name="channels"/> input channels.</summary>
    private protected abstract void BuildKernels(int channels);

    /// <summary>The input channel count the built kernels expect.</summary>
    private protected abstract long ExpectedInputChannels { get; }

    /// <summary>The number of output channels for <paramref name="inputChannels"/> input channels.</summary>
    private protected abstract int? OutputChannels(int? inputChannels);

    /// <summary>The output length of spatial dimension <paramref name="i"/> (default: a forward convolution's).</summary>
    private protected virtual int? OutputLength(int? length, int i) => _geometry.OutputLength(length, i);

    /// <summary>What the "does not fit" error describes.</summary>
    private protected virtual string KernelDescription => $"the kernel {Fmt(KernelSize)} (strides {Fmt(Strides)}, dilation rate {Fmt(DilationRate)})";

    /// <summary>The convolution itself on a channels_first input, bias included.</summary>
    private protected abstract Tensor Convolve(Tensor x);

    /// <summary>Writes the kind's own arguments (filters, groups, its kernels' specs…) into the config.</summary>
    private protected abstract void WriteConfig(Dictionary<string, object?> config);

    /// <summary>A forward convolution of a channels_first input with torch-layout weight <paramref name="w"/> (the padding resolved).</summary>
    private protected Tensor ForwardConv(Tensor x, Tensor w, Tensor? b, long groups) => _geometry.Forward(x, w, b, groups);

    // ------------------------------------------------------------------------------------------ layer

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        CheckRank(inputShape);
        if (InputChannels(inputShape) is not int channels)
            throw new ArgumentException(
                $"The channel dimension of the input of layer '{Name}' ({GetType().Name}) must be known; got shape {ShapeUtils.Format(inputShape)}.", "inputs");
        CheckInputChannels(channels, inputShape);
        ComputeOutputShape(inputShape);
        BuildKernels(channels);
        if (UseBias) _bias = BiasSpec.Add(this, "bias", [OutputChannels(channels)!.Value]);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var y = Convolve(ChannelsLastWhenFree(_geometry.ToChannelsFirst(inputs)));
        // The convolution's output belongs to this call and its backward does not read it: tanh, sigmoid and relu
        // overwrite it (before the layout permutation, so that autograd sees no in-place change of a view).
        if (_activationInPlace is { } inPlace) return _geometry.FromChannelsFirst(inPlace(y));
        return _activation(_geometry.FromChannelsFirst(y));
    }

    /// <summary>
    /// A one-channel channels_first batch restrided as channels_last — the same elements at the same addresses, so no
    /// copy — on the CPU. libtorch's oneDNN convolutions pick their layout from the input's strides, and channels_last
    /// (nhwc) ran LeNet-5's convolution stack about 8–10% faster than nchw here, for Sharpkeras and a raw TorchSharp
    /// loop alike; the layout then carries through the activations, pooling and the next convolutions. Anything
    /// else is passed on as it is (converting a many-channel batch would be a copy).
    /// </summary>
    private Tensor ChannelsLastWhenFree(Tensor x)
    {
        if (Rank is not (2 or 3) || x.dim() != Rank + 2 || x.shape[1] != 1 || x.device_type != DeviceType.CPU || !x.is_contiguous())
            return x;
        var shape = x.shape;
        var strides = new long[shape.Length];
        long step = 1;
        for (int d = shape.Length - 1; d >= 2; d--) { strides[d] = step; step *= shape[d]; }
        strides[1] = 1;
        strides[0] = step;
        return x.as_strided(shape, strides, x.storage_offset());
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        long expected = ExpectedInputChannels;
        if (InputChannels(shape) != expected)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected {expected} channels ({DataFormat}), got shape {ShapeUtils.Format(inputs[0].shape)}.", nameof(inputs));
        ComputeOutputShape(shape);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckRank(inputShape);
        var spatial = _geometry.Spatial(inputShape);
        var outSpatial = new int?[Rank];
        for (int i = 0; i < Rank; i++) outSpatial[i] = OutputLength(spatial[i], i);
        var output = _geometry.Shape(inputShape[0], outSpatial, OutputChannels(InputChannels(inputShape)));
        if (spatial.Any(d => d is <= 0) || outSpatial.Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this, KernelDescription, inputShape, output, Padding);
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        _geometry.WriteConfig(c);
        c["activation"] = ActivationName ?? "linear";
        c["use_bias"] = UseBias;
        BiasSpec.WriteConfig(c);
        c["activity_regularizer"] = WeightSpec.Describe(ActivityRegularizerArgument);
        WriteConfig(c);
        return c;
    }
}
