using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared body of Conv1D/Conv2D/Conv3D (Keras's <c>BaseConv</c>): Keras-layout kernel (k…, in/groups, filters)
/// stored in torch layout, "same" padding with TensorFlow's split (extra pad at the end), channels_last inputs run
/// through torch's channels-last kernels via permuted views (no copy per layer).
/// </summary>
public abstract class BaseConv : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;

    /// <summary>Creates the layer.</summary>
    protected BaseConv(int rank, int filters, int[] kernelSize, int[]? strides, string padding, string? dataFormat, int[]? dilationRate,
        int groups, string? activation, bool useBias, object? kernelInitializer, object? biasInitializer, object? kernelRegularizer,
        object? biasRegularizer, object? activityRegularizer, object? kernelConstraint, object? biasConstraint, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string ln = GetType().Name;
        if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{ln}: filters must be a positive integer; got {filters}.");
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{ln}: groups must be positive; got {groups}.");
        if (filters % groups != 0) throw new ArgumentException($"{ln}: filters ({filters}) must be divisible by groups ({groups}).", nameof(groups));
        Rank = rank;
        Filters = filters;
        KernelSize = ConvUtils.Tuple(kernelSize, rank, nameof(kernelSize), ln);
        Strides = ConvUtils.Tuple(strides ?? [1], rank, nameof(strides), ln);
        Padding = ConvUtils.Padding(padding, ln);
        DataFormat = ConvUtils.DataFormat(dataFormat, ln);
        DilationRate = ConvUtils.Tuple(dilationRate ?? [1], rank, nameof(dilationRate), ln);
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException($"{ln}: strides > 1 cannot be combined with dilationRate > 1.", nameof(dilationRate));
        Groups = groups;
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
    }

    /// <summary>Number of spatial dimensions.</summary>
    public int Rank { get; }
    /// <summary>Output channels.</summary>
    public int Filters { get; }
    /// <summary>Kernel size per spatial axis.</summary>
    public int[] KernelSize { get; }
    /// <summary>Strides per spatial axis.</summary>
    public int[] Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }
    /// <summary>Dilation per spatial axis.</summary>
    public int[] DilationRate { get; }
    /// <summary>Groups of input channels convolved separately.</summary>
    public int Groups { get; }
    /// <summary>Activation alias or null.</summary>
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
    /// <summary>Output regularizer.</summary>
    public Regularizers.Regularizer? ActivityRegularizer { get; }
    /// <summary>Kernel constraint.</summary>
    public Constraints.Constraint? KernelConstraint { get; }
    /// <summary>Bias constraint.</summary>
    public Constraints.Constraint? BiasConstraint { get; }

    /// <summary>The kernel (Keras layout (k…, in/groups, filters) through GetWeights).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias, or null.</summary>
    public KerasVariable? Bias => _bias;

    private int ChannelAxis(int rankWithBatch) => DataFormat == "channels_last" ? rankWithBatch - 1 : 1;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ConvUtils.CheckRank(this, inputShape, Rank);
        if (inputShape[ChannelAxis(inputShape.Length)] is not int inChannels)
            throw new ArgumentException($"Layer '{Name}': the channel dimension of the input must be known; got shape {ShapeUtils.Format(inputShape)}.");
        if (inChannels % Groups != 0)
            throw new ArgumentException($"Layer '{Name}': input channels ({inChannels}) must be divisible by groups ({Groups}); input shape {ShapeUtils.Format(inputShape)}.");
        var outShape = ComputeOutputShape(inputShape);
        if (outShape.Skip(1).Any(d => d is 0))
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) with kernel {string.Join("×", KernelSize)}, strides {string.Join("×", Strides)} and padding '{Padding}' cannot be applied to input shape {ShapeUtils.Format(inputShape)}: the output would be {ShapeUtils.Format(outShape)}.");
        long[] kshape = [.. KernelSize.Select(k => (long)k), inChannels / Groups, Filters];
        int[] perm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _kernel = AddWeight("kernel", kshape, KernelInitializer, KernelRegularizer, constraint: KernelConstraint, kerasToTorchPermutation: perm);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer, BiasRegularizer, constraint: BiasConstraint);
        InChannels = inChannels;
    }

    /// <summary>Input channels seen at build time.</summary>
    protected int InChannels { get; private set; }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != Rank + 2 || x.shape[ChannelAxis((int)x.dim())] != InChannels)
        {
            var expected = new int?[Rank + 2];
            expected[ChannelAxis(Rank + 2)] = InChannels;
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected shape {ShapeUtils.Format(expected)}, got {ShapeUtils.Format(x.shape)}.");
        }
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = DataFormat == "channels_last" ? ConvUtils.ToChannelsFirst(inputs) : inputs;
        long[] padding = new long[Rank];
        if (Padding == "same")
        {
            var pads = new (int, int)[Rank];
            bool symmetric = true;
            for (int i = 0; i < Rank; i++)
            {
                pads[i] = ConvUtils.SamePad(x.shape[2 + i], KernelSize[i], Strides[i], DilationRate[i]);
                if (pads[i].Item1 != pads[i].Item2) symmetric = false;
                padding[i] = pads[i].Item1;
            }
            if (!symmetric)
            {
                x = nn.functional.pad(x, ConvUtils.PadList(pads));
                Array.Clear(padding);
            }
        }
        var w = _kernel!.Value;
        var b = _bias?.Value;
        var strides = Strides.Select(s => (long)s).ToArray();
        var dil = DilationRate.Select(d => (long)d).ToArray();
        var y = Rank switch
        {
            1 => nn.functional.conv1d(x, w, b, strides[0], padding[0], dil[0], Groups),
            2 => nn.functional.conv2d(x, w, b, strides, padding, dil, Groups),
            _ => nn.functional.conv3d(x, w, b, strides, padding, dil, Groups),
        };
        if (DataFormat == "channels_last") y = ConvUtils.ToChannelsLast(y);
        y = _activation(y);
        if (ActivityRegularizer != null) AddLoss(ActivityRegularizer.Call(y) / y.shape[0]);
        return y;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ConvUtils.CheckRank(this, inputShape, Rank);
        var r = new int?[inputShape.Length];
        r[0] = inputShape[0];
        int first = DataFormat == "channels_last" ? 1 : 2;
        for (int i = 0; i < Rank; i++)
            r[first + i] = ConvUtils.OutputLength(inputShape[first + i], KernelSize[i], Padding, Strides[i], DilationRate[i]);
        r[DataFormat == "channels_last" ? inputShape.Length - 1 : 1] = Filters;
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters; c["kernel_size"] = KernelSize; c["strides"] = Strides; c["padding"] = Padding;
        c["data_format"] = DataFormat; c["dilation_rate"] = DilationRate; c["groups"] = Groups;
        c["activation"] = ActivationName ?? "linear"; c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer.ClassName; c["bias_initializer"] = BiasInitializer.ClassName;
        return c;
    }
}
