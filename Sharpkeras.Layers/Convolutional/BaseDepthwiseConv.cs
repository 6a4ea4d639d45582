using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="DepthwiseConv1D"/> and <see cref="DepthwiseConv2D"/> (Keras's
/// <c>BaseDepthwiseConv</c>): each input channel is convolved with its own <c>depthMultiplier</c> kernels,
/// output channel <c>c·depthMultiplier + m</c> coming from input channel <c>c</c>.
/// </summary>
/// <remarks>
/// The weight is named "kernel" with Keras's shape <c>kernel_size + (in_channels, depth_multiplier)</c>;
/// it is stored as <c>(in_channels, depth_multiplier, *kernel_size)</c> and viewed (no copy) as torch's
/// grouped-convolution weight <c>(in_channels·depth_multiplier, 1, *kernel_size)</c> with
/// <c>groups = in_channels</c>. Padding rules as in <see cref="BaseConv"/>.
/// </remarks>
public abstract class BaseDepthwiseConv : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly long[] _strides;
    private readonly long[] _dilation;
    private readonly long[] _toFirst;
    private readonly long[] _toLast;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    protected BaseDepthwiseConv(int rank, int depthMultiplier, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, string? activation, bool useBias, object? depthwiseInitializer, object? biasInitializer,
        object? depthwiseRegularizer, object? biasRegularizer, object? activityRegularizer, object? depthwiseConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string owner = $"{GetType().Name} '{Name}'";
        Rank = rank;
        if (depthMultiplier <= 0)
            throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier,
                $"{owner}: argument 'depthMultiplier' must be a positive integer; got {depthMultiplier}.");
        DepthMultiplier = depthMultiplier;
        KernelSize = kernelSize.Expand(rank, nameof(kernelSize), owner);
        Strides = (strides ?? 1).Expand(rank, nameof(strides), owner);
        DilationRate = (dilationRate ?? 1).Expand(rank, nameof(dilationRate), owner);
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException(
                $"{owner}: strides > 1 cannot be combined with dilationRate > 1 (Keras); got strides {Fmt(Strides)} and dilationRate {Fmt(DilationRate)}.", nameof(dilationRate));
        Padding = ConvUtils.Padding(padding, allowCausal: false, owner);
        DataFormat = ConvUtils.DataFormat(dataFormat, owner);
        ActivationName = Activations.Validate(activation);
        _activation = Activations.Get(activation);
        UseBias = useBias;
        DepthwiseInitializer = Initializers.Initializer.Get(depthwiseInitializer ?? "glorot_uniform");
        BiasInitializer = Initializers.Initializer.Get(biasInitializer ?? "zeros");
        DepthwiseRegularizer = Regularizers.Regularizer.Get(depthwiseRegularizer);
        BiasRegularizer = Regularizers.Regularizer.Get(biasRegularizer);
        ActivityRegularizer = Regularizers.Regularizer.Get(activityRegularizer);
        DepthwiseConstraint = Constraints.Constraint.Get(depthwiseConstraint);
        BiasConstraint = Constraints.Constraint.Get(biasConstraint);
        _strides = Strides.Select(s => (long)s).ToArray();
        _dilation = DilationRate.Select(d => (long)d).ToArray();
        _toFirst = ConvUtils.ToChannelsFirst(rank);
        _toLast = ConvUtils.ToChannelsLast(rank);
    }

    private static string Fmt(int[] v) => "(" + string.Join(", ", v) + ")";

    /// <summary>The number of spatial dimensions (1 or 2).</summary>
    public int Rank { get; }

    /// <summary>The number of output channels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>The kernel's spatial size, one value per dimension.</summary>
    public int[] KernelSize { get; }

    /// <summary>The strides, one value per dimension.</summary>
    public int[] Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>The dilation rate, one value per dimension.</summary>
    public int[] DilationRate { get; }

    /// <summary>Activation alias, or null.</summary>
    public string? ActivationName { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Depthwise kernel initializer.</summary>
    public Initializers.Initializer DepthwiseInitializer { get; }

    /// <summary>Bias initializer.</summary>
    public Initializers.Initializer BiasInitializer { get; }

    /// <summary>Depthwise kernel regularizer.</summary>
    public Regularizers.Regularizer? DepthwiseRegularizer { get; }

    /// <summary>Bias regularizer.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }


    /// <summary>Depthwise kernel constraint.</summary>
    public Constraints.Constraint? DepthwiseConstraint { get; }

    /// <summary>Bias constraint.</summary>
    public Constraints.Constraint? BiasConstraint { get; }

    /// <summary>The depthwise kernel (Keras's weight name "kernel"; after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias weight (after build; null without bias).</summary>
    public KerasVariable? Bias => _bias;

    private bool ChannelsLast => DataFormat == "channels_last";

    private int? InputChannels(int?[] shape) => ChannelsLast ? shape[^1] : shape[1];

    private void CheckRank(int?[] inputShape)
    {
        if (inputShape.Length != Rank + 2)
        {
            string dims = Rank switch { 1 => "steps", 2 => "height, width", _ => "depth, height, width" };
            string layout = ChannelsLast ? $"(batch, {dims}, channels)" : $"(batch, channels, {dims})";
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) must have rank {Rank + 2} {layout}; got shape {ShapeUtils.Format(inputShape)}.", "inputs");
        }
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        CheckRank(inputShape);
        if (InputChannels(inputShape) is not int channels)
            throw new ArgumentException(
                $"The channel dimension of the input of layer '{Name}' ({GetType().Name}) must be known; got shape {ShapeUtils.Format(inputShape)}.", "inputs");
        ComputeOutputShape(inputShape);
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), channels, DepthMultiplier];
        // Keras (k1..kr, in, mult) → stored (in, mult, k1..kr), viewed as (in·mult, 1, k1..kr).
        int[] perm = [Rank, Rank + 1, .. Enumerable.Range(0, Rank)];
        _kernel = AddWeight("kernel", kerasShape, DepthwiseInitializer, DepthwiseRegularizer, constraint: DepthwiseConstraint, kerasToTorchPermutation: perm);
        if (UseBias) _bias = AddWeight("bias", [(long)channels * DepthMultiplier], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = ChannelsLast ? inputs.permute(_toFirst) : inputs;
        var (symmetric, explicitPad) = ConvUtils.ResolvePadding(x.shape, KernelSize, Strides, DilationRate, Padding);
        if (explicitPad != null) x = nn.functional.pad(x, explicitPad);
        long channels = _kernel!.KerasShape[^2];
        var w = _kernel.Value;
        long[] torchShape = [channels * DepthMultiplier, 1, .. w.shape[2..]];
        var y = ConvUtils.Conv(Rank, x, w.reshape(torchShape), _bias?.Value, _strides, symmetric, _dilation, channels);
        if (ChannelsLast) y = y.permute(_toLast);
        y = _activation(y);
        return y;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        long expected = _kernel!.KerasShape[^2];
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
        var spatial = ConvUtils.Spatial(inputShape, Rank, ChannelsLast);
        var outSpatial = new int?[Rank];
        for (int i = 0; i < Rank; i++)
            outSpatial[i] = ConvUtils.ConvOutputLength(spatial[i], KernelSize[i], Padding, Strides[i], DilationRate[i]);
        int? channels = InputChannels(inputShape) is int c ? c * DepthMultiplier : null;
        int?[] output = ChannelsLast ? [inputShape[0], .. outSpatial, channels] : [inputShape[0], channels, .. outSpatial];
        if (outSpatial.Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this, $"the kernel {Fmt(KernelSize)} (strides {Fmt(Strides)}, dilation rate {Fmt(DilationRate)})", inputShape, output, Padding);
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["kernel_size"] = KernelSize.ToArray();
        c["strides"] = Strides.ToArray();
        c["padding"] = Padding;
        c["depth_multiplier"] = DepthMultiplier;
        c["data_format"] = DataFormat;
        c["dilation_rate"] = DilationRate.ToArray();
        c["activation"] = ActivationName ?? "linear";
        c["use_bias"] = UseBias;
        c["depthwise_initializer"] = ConvUtils.InitializerConfig(DepthwiseInitializer);
        c["bias_initializer"] = ConvUtils.InitializerConfig(BiasInitializer);
        c["depthwise_regularizer"] = ConvUtils.RegularizerConfig(DepthwiseRegularizer);
        c["bias_regularizer"] = ConvUtils.RegularizerConfig(BiasRegularizer);
        c["activity_regularizer"] = ConvUtils.RegularizerConfig(ActivityRegularizer);
        c["depthwise_constraint"] = ConvUtils.ConstraintConfig(DepthwiseConstraint);
        c["bias_constraint"] = ConvUtils.ConstraintConfig(BiasConstraint);
        return c;
    }
}
