using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="Conv1D"/>, <see cref="Conv2D"/> and <see cref="Conv3D"/> (Keras's
/// <c>BaseConv</c>): <c>activation(conv(inputs, kernel) + bias)</c>.
/// </summary>
/// <remarks>
/// The kernel has Keras's shape <c>kernel_size + (in_channels / groups, filters)</c> for
/// <see cref="Layer.GetWeights"/>/<see cref="Layer.SetWeights"/>, and is stored in torch's layout
/// <c>(filters, in_channels / groups, *kernel_size)</c>, so no weight is copied per call. A
/// channels_last input is viewed as channels_first through a permutation (no copy: libtorch's kernels
/// handle its channels_last memory strides) and the output is permuted back.
/// "same" padding follows TF/Keras: output length ceil(n / stride), total padding
/// max((out − 1)·stride + (k − 1)·dilation + 1 − n, 0), the odd cell at the end.
/// </remarks>
public abstract class BaseConv : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly long[] _strides;
    private readonly long[] _dilation;
    private readonly long[] _toFirst;
    private readonly long[] _toLast;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    protected BaseConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, int groups, string? activation, bool useBias, object? kernelInitializer, object? biasInitializer,
        object? kernelRegularizer, object? biasRegularizer, object? activityRegularizer, object? kernelConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string owner = $"{GetType().Name} '{Name}'";
        Rank = rank;
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{owner}: argument 'filters' must be a positive integer; got {filters}.");
        if (groups <= 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{owner}: argument 'groups' must be a positive integer; got {groups}.");
        if (filters % groups != 0)
            throw new ArgumentException($"{owner}: argument 'filters' ({filters}) must be divisible by 'groups' ({groups}).", nameof(filters));
        Filters = filters;
        Groups = groups;
        KernelSize = kernelSize.Expand(rank, nameof(kernelSize), owner);
        Strides = (strides ?? 1).Expand(rank, nameof(strides), owner);
        DilationRate = (dilationRate ?? 1).Expand(rank, nameof(dilationRate), owner);
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException(
                $"{owner}: strides > 1 cannot be combined with dilationRate > 1 (Keras); got strides {Fmt(Strides)} and dilationRate {Fmt(DilationRate)}.", nameof(dilationRate));
        Padding = ConvUtils.Padding(padding, allowCausal: rank == 1, owner);
        DataFormat = ConvUtils.DataFormat(dataFormat, owner);
        ActivationName = Activations.Validate(activation);
        _activation = Activations.Get(activation);
        UseBias = useBias;
        KernelInitializer = Initializers.Initializer.Get(kernelInitializer ?? "glorot_uniform");
        BiasInitializer = Initializers.Initializer.Get(biasInitializer ?? "zeros");
        KernelRegularizer = Regularizers.Regularizer.Get(kernelRegularizer);
        BiasRegularizer = Regularizers.Regularizer.Get(biasRegularizer);
        ActivityRegularizer = Regularizers.Regularizer.Get(activityRegularizer);
        KernelConstraint = Constraints.Constraint.Get(kernelConstraint);
        BiasConstraint = Constraints.Constraint.Get(biasConstraint);
        _strides = Strides.Select(s => (long)s).ToArray();
        _dilation = DilationRate.Select(d => (long)d).ToArray();
        _toFirst = ConvUtils.ToChannelsFirst(rank);
        _toLast = ConvUtils.ToChannelsLast(rank);
    }

    private static string Fmt(int[] v) => "(" + string.Join(", ", v) + ")";

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank { get; }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The kernel's spatial size, one value per dimension.</summary>
    public int[] KernelSize { get; }

    /// <summary>The strides, one value per dimension.</summary>
    public int[] Strides { get; }

    /// <summary>"valid", "same" or (Conv1D) "causal".</summary>
    public string Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>The dilation rate, one value per dimension.</summary>
    public int[] DilationRate { get; }

    /// <summary>The number of channel groups (each group of input channels is convolved separately).</summary>
    public int Groups { get; }

    /// <summary>Activation alias, or null.</summary>
    public string? ActivationName { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Kernel initializer.</summary>
    public Initializers.Initializer KernelInitializer { get; }

    /// <summary>Bias initializer.</summary>
    public Initializers.Initializer BiasInitializer { get; }

    /// <summary>Kernel regularizer.</summary>
    public Regularizers.Regularizer? KernelRegularizer { get; }

    /// <summary>Bias regularizer.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }


    /// <summary>Kernel constraint.</summary>
    public Constraints.Constraint? KernelConstraint { get; }

    /// <summary>Bias constraint.</summary>
    public Constraints.Constraint? BiasConstraint { get; }

    /// <summary>The kernel weight (after build).</summary>
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
        if (channels % Groups != 0)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}): the input's {channels} channels must be divisible by groups ({Groups}); input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        ComputeOutputShape(inputShape);
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), channels / Groups, Filters];
        // Keras (k1..kr, in, out) → torch (out, in, k1..kr).
        int[] perm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _kernel = AddWeight("kernel", kerasShape, KernelInitializer, KernelRegularizer, constraint: KernelConstraint, kerasToTorchPermutation: perm);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = ChannelsLast ? inputs.permute(_toFirst) : inputs;
        var (symmetric, explicitPad) = ConvUtils.ResolvePadding(x.shape, KernelSize, Strides, DilationRate, Padding);
        if (explicitPad != null) x = nn.functional.pad(x, explicitPad);
        var y = ConvUtils.Conv(Rank, x, _kernel!.Value, _bias?.Value, _strides, symmetric, _dilation, Groups);
        if (ChannelsLast) y = y.permute(_toLast);
        y = _activation(y);
        return y;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        long expected = _kernel!.KerasShape[^2] * Groups;
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
        int?[] output = ChannelsLast ? [inputShape[0], .. outSpatial, Filters] : [inputShape[0], Filters, .. outSpatial];
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
        c["groups"] = Groups;
        c["activation"] = ActivationName ?? "linear";
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = ConvUtils.InitializerConfig(KernelInitializer);
        c["bias_initializer"] = ConvUtils.InitializerConfig(BiasInitializer);
        c["kernel_regularizer"] = ConvUtils.RegularizerConfig(KernelRegularizer);
        c["bias_regularizer"] = ConvUtils.RegularizerConfig(BiasRegularizer);
        c["activity_regularizer"] = ConvUtils.RegularizerConfig(ActivityRegularizer);
        c["kernel_constraint"] = ConvUtils.ConstraintConfig(KernelConstraint);
        c["bias_constraint"] = ConvUtils.ConstraintConfig(BiasConstraint);
        return c;
    }
}
