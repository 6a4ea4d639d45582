using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="SeparableConv1D"/> and <see cref="SeparableConv2D"/> (Keras's
/// <c>BaseSeparableConv</c>): a depthwise convolution (each input channel with its own
/// <c>depthMultiplier</c> kernels, with the strides, padding and dilation) followed by a pointwise (1×1)
/// convolution to <c>filters</c> channels, then bias and activation.
/// </summary>
/// <remarks>
/// Weights in Keras's order and shapes: "depthwise_kernel" <c>kernel_size + (in_channels, depth_multiplier)</c>,
/// "pointwise_kernel" <c>(1,)·rank + (in_channels·depth_multiplier, filters)</c>, "bias" <c>(filters,)</c>.
/// They are stored in torch's layouts (the depthwise kernel viewed without copy as the grouped-convolution
/// weight). Padding rules as in <see cref="BaseConv"/>.
/// </remarks>
public abstract class BaseSeparableConv : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _pointwise;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly long[] _strides;
    private readonly long[] _dilation;
    private readonly long[] _toFirst;
    private readonly long[] _toLast;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    protected BaseSeparableConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, int depthMultiplier, string? activation, bool useBias, object? depthwiseInitializer,
        object? pointwiseInitializer, object? biasInitializer, object? depthwiseRegularizer, object? pointwiseRegularizer,
        object? biasRegularizer, object? activityRegularizer, object? depthwiseConstraint, object? pointwiseConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string owner = $"{GetType().Name} '{Name}'";
        Rank = rank;
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{owner}: argument 'filters' must be a positive integer; got {filters}.");
        Filters = filters;
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
        PointwiseInitializer = Initializers.Initializer.Get(pointwiseInitializer ?? "glorot_uniform");
        PointwiseRegularizer = Regularizers.Regularizer.Get(pointwiseRegularizer);
        PointwiseConstraint = Constraints.Constraint.Get(pointwiseConstraint);
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

    /// <summary>The number of output channels (of the pointwise convolution).</summary>
    public int Filters { get; }

    /// <summary>The number of depthwise output channels per input channel.</summary>
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

    /// <summary>Pointwise kernel initializer.</summary>
    public Initializers.Initializer PointwiseInitializer { get; }

    /// <summary>Pointwise kernel regularizer.</summary>
    public Regularizers.Regularizer? PointwiseRegularizer { get; }

    /// <summary>Pointwise kernel constraint.</summary>
    public Constraints.Constraint? PointwiseConstraint { get; }

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

    /// <summary>The depthwise kernel (after build).</summary>
    public KerasVariable DepthwiseKernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The pointwise kernel (after build).</summary>
    public KerasVariable PointwiseKernel => _pointwise ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

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
        _kernel = AddWeight("depthwise_kernel", kerasShape, DepthwiseInitializer, DepthwiseRegularizer, constraint: DepthwiseConstraint, kerasToTorchPermutation: perm);
        long[] pointwiseShape = [.. Enumerable.Repeat(1L, Rank), (long)channels * DepthMultiplier, Filters];
        // Keras (1..1, in·mult, filters) → torch (filters, in·mult, 1..1).
        int[] pointwisePerm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _pointwise = AddWeight("pointwise_kernel", pointwiseShape, PointwiseInitializer, PointwiseRegularizer, constraint: PointwiseConstraint, kerasToTorchPermutation: pointwisePerm);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
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
        var depthwise = ConvUtils.Conv(Rank, x, w.reshape(torchShape), null, _strides, symmetric, _dilation, channels);
        var ones = Enumerable.Repeat(1L, Rank).ToArray();
        var y = ConvUtils.Conv(Rank, depthwise, _pointwise!.Value, _bias?.Value, ones, new long[Rank], ones, 1);
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
        int? channels = Filters;
        int?[] output = ChannelsLast ? [inputShape[0], .. outSpatial, channels] : [inputShape[0], channels, .. outSpatial];
        if (outSpatial.Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this, $"the kernel {Fmt(KernelSize)} (strides {Fmt(Strides)}, dilation rate {Fmt(DilationRate)})", inputShape, output, Padding);
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        c["kernel_size"] = KernelSize.ToArray();
        c["strides"] = Strides.ToArray();
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        c["dilation_rate"] = DilationRate.ToArray();
        c["depth_multiplier"] = DepthMultiplier;
        c["activation"] = ActivationName ?? "linear";
        c["use_bias"] = UseBias;
        c["depthwise_initializer"] = ConvUtils.InitializerConfig(DepthwiseInitializer);
        c["pointwise_initializer"] = ConvUtils.InitializerConfig(PointwiseInitializer);
        c["bias_initializer"] = ConvUtils.InitializerConfig(BiasInitializer);
        c["depthwise_regularizer"] = ConvUtils.RegularizerConfig(DepthwiseRegularizer);
        c["pointwise_regularizer"] = ConvUtils.RegularizerConfig(PointwiseRegularizer);
        c["bias_regularizer"] = ConvUtils.RegularizerConfig(BiasRegularizer);
        c["activity_regularizer"] = ConvUtils.RegularizerConfig(ActivityRegularizer);
        c["depthwise_constraint"] = ConvUtils.ConstraintConfig(DepthwiseConstraint);
        c["pointwise_constraint"] = ConvUtils.ConstraintConfig(PointwiseConstraint);
        c["bias_constraint"] = ConvUtils.ConstraintConfig(BiasConstraint);
        return c;
    }
}
