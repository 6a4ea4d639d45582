using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of the transposed convolutions (Keras's <c>BaseConvTranspose</c>), the gradient of a
/// convolution with the same arguments: <c>activation(conv_transpose(inputs, kernel) + bias)</c>.
/// </summary>
/// <remarks>
/// Kernel in Keras's shape <c>kernel_size + (filters, in_channels)</c>, stored in torch's layout
/// <c>(in_channels, filters, *kernel_size)</c>. Output length per dimension (Keras's formula, with
/// k' = (k − 1)·dilation + 1): "valid" (i − 1)·s + max(k', s) without outputPadding, (i − 1)·s + k' + p with
/// it; "same" i·s without outputPadding, (i − 1)·s + k' mod 2 + p with it. The full torch result
/// ((i − 1)·s + k') is cropped (or zero-extended) on each side exactly where TF places the output window.
/// </remarks>
public abstract class BaseConvTranspose : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly long[] _strides;
    private readonly long[] _dilation;
    private readonly long[] _toFirst;
    private readonly long[] _toLast;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    protected BaseConvTranspose(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, IntTuple? outputPadding,
        string? dataFormat, IntTuple? dilationRate, string? activation, bool useBias, object? kernelInitializer, object? biasInitializer,
        object? kernelRegularizer, object? biasRegularizer, object? activityRegularizer, object? kernelConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string owner = $"{GetType().Name} '{Name}'";
        Rank = rank;
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{owner}: argument 'filters' must be a positive integer; got {filters}.");
        Filters = filters;
        KernelSize = kernelSize.Expand(rank, nameof(kernelSize), owner);
        Strides = (strides ?? 1).Expand(rank, nameof(strides), owner);
        DilationRate = (dilationRate ?? 1).Expand(rank, nameof(dilationRate), owner);
        OutputPadding = outputPadding?.Expand(rank, nameof(outputPadding), owner, min: 0);
        if (OutputPadding != null)
            for (int i = 0; i < rank; i++)
                if (OutputPadding[i] >= Strides[i])
                    throw new ArgumentException(
                        $"{owner}: every value of 'outputPadding' must be < the stride; got outputPadding {Fmt(OutputPadding)} and strides {Fmt(Strides)}.", nameof(outputPadding));
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException(
                $"{owner}: strides > 1 cannot be combined with dilationRate > 1 (Keras); got strides {Fmt(Strides)} and dilationRate {Fmt(DilationRate)}.", nameof(dilationRate));
        Padding = ConvUtils.Padding(padding, allowCausal: false, owner);
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

    /// <summary>The strides (the upsampling factors), one value per dimension.</summary>
    public int[] Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <summary>Extra cells added at the end of each dimension, or null for Keras's default output size.</summary>
    public int[]? OutputPadding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>The dilation rate, one value per dimension.</summary>
    public int[] DilationRate { get; }

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

    /// <summary>Keras's output length of one dimension.</summary>
    private int? OutputLength(int? length, int i)
    {
        if (length is not int n) return null;
        int k = (KernelSize[i] - 1) * DilationRate[i] + 1, s = Strides[i];
        int? op = OutputPadding?[i];
        if (Padding == "valid") return (n - 1) * s + k + (op ?? Math.Max(k, s) - k);
        return op is int p ? (n - 1) * s + k % 2 + p : n * s;
    }

    /// <summary>The (left, right) padding of the equivalent dilated-input convolution, as Keras computes it for JAX.</summary>
    private (long left, long right) TfPadding(int i)
    {
        int k = (KernelSize[i] - 1) * DilationRate[i] + 1, s = Strides[i];
        int? op = OutputPadding?[i];
        if (Padding == "valid") return (k - 1, k - 1 + (op ?? Math.Max(k, s) - k));
        int padLen = op is int p ? k + k % 2 - 2 + p : s + k - 2;
        int left = Math.Min(padLen / 2 + padLen % 2, k - 1);
        return (left, padLen - left);
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        CheckRank(inputShape);
        if (InputChannels(inputShape) is not int channels)
            throw new ArgumentException(
                $"The channel dimension of the input of layer '{Name}' ({GetType().Name}) must be known; got shape {ShapeUtils.Format(inputShape)}.", "inputs");
        ComputeOutputShape(inputShape);
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), Filters, channels];
        // Keras (k1..kr, out, in) → torch (in, out, k1..kr).
        int[] perm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _kernel = AddWeight("kernel", kerasShape, KernelInitializer, KernelRegularizer, constraint: KernelConstraint, kerasToTorchPermutation: perm);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = ChannelsLast ? inputs.permute(_toFirst) : inputs;
        var crops = new (long left, long right)[Rank];
        bool extend = false;
        for (int i = 0; i < Rank; i++)
        {
            long k = (long)(KernelSize[i] - 1) * DilationRate[i] + 1;
            var (l, r) = TfPadding(i);
            crops[i] = (k - 1 - l, k - 1 - r);
            if (crops[i].left < 0 || crops[i].right < 0) extend = true;
        }
        // The bias is fused into the op unless zero cells are added afterwards (they get the bias too, as in TF).
        var y = ConvUtils.ConvTranspose(Rank, x, _kernel!.Value, extend ? null : _bias?.Value, _strides, _dilation);
        if (extend)
        {
            var pad = new long[2 * Rank];
            for (int i = 0; i < Rank; i++)
            {
                pad[2 * i] = -crops[Rank - 1 - i].left;
                pad[2 * i + 1] = -crops[Rank - 1 - i].right;
            }
            y = nn.functional.pad(y, pad);
            if (_bias != null)
            {
                long[] shape = [1, Filters, .. Enumerable.Repeat(1L, Rank)];
                y = y.add(_bias.Value.view(shape));
            }
        }
        else
        {
            for (int i = 0; i < Rank; i++)
                if (crops[i].left > 0 || crops[i].right > 0)
                    y = y.narrow(i + 2, crops[i].left, y.shape[i + 2] - crops[i].left - crops[i].right);
        }
        if (ChannelsLast) y = y.permute(_toLast);
        y = _activation(y);
        return y;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        long expected = _kernel!.KerasShape[^1];
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
        for (int i = 0; i < Rank; i++) outSpatial[i] = OutputLength(spatial[i], i);
        int?[] output = ChannelsLast ? [inputShape[0], .. outSpatial, Filters] : [inputShape[0], Filters, .. outSpatial];
        if (spatial.Any(d => d is <= 0) || outSpatial.Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this, $"the kernel {Fmt(KernelSize)} (strides {Fmt(Strides)})", inputShape, output, Padding);
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
        c["output_padding"] = OutputPadding?.ToArray();
        c["data_format"] = DataFormat;
        c["dilation_rate"] = DilationRate.ToArray();
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
