using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="SeparableConv1D"/> and <see cref="SeparableConv2D"/> (Keras's
/// <c>BaseSeparableConv</c>): a depthwise convolution (<c>depthMultiplier</c> kernels per input channel)
/// followed by a pointwise (1×…×1) convolution to <c>filters</c> channels, then bias and activation.
/// </summary>
/// <remarks>
/// Weights: <c>depthwise_kernel</c> kernel_size + (in, depth_multiplier), <c>pointwise_kernel</c>
/// (1, …, 1, in·depth_multiplier, filters), <c>bias</c> (filters). Layouts and padding: see <see cref="BaseConvolution"/>.
/// </remarks>
public abstract class BaseSeparableConv : BaseConvolution
{
    private KerasVariable? _kernel;
    private KerasVariable? _pointwise;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions: 1 or 2.</param>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate of the depthwise step (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="depthMultiplier">The number of depthwise output channels per input channel (&gt; 0).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">Initializer for the depthwise kernel (default "glorot_uniform").</param>
    /// <param name="pointwiseInitializer">Initializer for the pointwise kernel (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="depthwiseRegularizer">Regularizer for the depthwise kernel.</param>
    /// <param name="pointwiseRegularizer">Regularizer for the pointwise kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="depthwiseConstraint">Constraint for the depthwise kernel.</param>
    /// <param name="pointwiseConstraint">Constraint for the pointwise kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BaseSeparableConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, int depthMultiplier, string? activation, bool useBias, object? depthwiseInitializer,
        object? pointwiseInitializer, object? biasInitializer, object? depthwiseRegularizer, object? pointwiseRegularizer,
        object? biasRegularizer, object? activityRegularizer, object? depthwiseConstraint, object? pointwiseConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias, biasInitializer,
            biasRegularizer, biasConstraint, activityRegularizer, inputShape, name)
    {
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{Owner}: argument 'filters' must be a positive integer; got {filters}.");
        if (depthMultiplier <= 0)
            throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier,
                $"{Owner}: argument 'depthMultiplier' must be a positive integer; got {depthMultiplier}.");
        Filters = filters;
        DepthMultiplier = depthMultiplier;
        DepthwiseSpec = new WeightSpec("depthwise", depthwiseInitializer, depthwiseRegularizer, depthwiseConstraint, "glorot_uniform");
        PointwiseSpec = new WeightSpec("pointwise", pointwiseInitializer, pointwiseRegularizer, pointwiseConstraint, "glorot_uniform");
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The number of depthwise output channels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>Initializer, regularizer and constraint of the depthwise kernel.</summary>
    public WeightSpec DepthwiseSpec { get; }

    /// <summary>Initializer, regularizer and constraint of the pointwise kernel.</summary>
    public WeightSpec PointwiseSpec { get; }

    /// <summary>Depthwise kernel initializer.</summary>
    public Initializers.Initializer DepthwiseInitializer => DepthwiseSpec.Initializer;

    /// <summary>Pointwise kernel initializer.</summary>
    public Initializers.Initializer PointwiseInitializer => PointwiseSpec.Initializer;

    /// <summary>Depthwise kernel regularizer.</summary>
    public Regularizers.Regularizer? DepthwiseRegularizer => DepthwiseSpec.Regularizer;

    /// <summary>Pointwise kernel regularizer.</summary>
    public Regularizers.Regularizer? PointwiseRegularizer => PointwiseSpec.Regularizer;

    /// <summary>Depthwise kernel constraint.</summary>
    public Constraints.Constraint? DepthwiseConstraint => DepthwiseSpec.Constraint;

    /// <summary>Pointwise kernel constraint.</summary>
    public Constraints.Constraint? PointwiseConstraint => PointwiseSpec.Constraint;

    /// <summary>The depthwise kernel (after build).</summary>
    public KerasVariable DepthwiseKernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The pointwise kernel (after build).</summary>
    public KerasVariable PointwiseKernel => _pointwise ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    private protected override void BuildKernels(int channels)
    {
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), channels, DepthMultiplier];
        // Keras (k1..kr, in, mult) → stored (in, mult, k1..kr), viewed as (in·mult, 1, k1..kr).
        int[] perm = [Rank, Rank + 1, .. Enumerable.Range(0, Rank)];
        _kernel = DepthwiseSpec.Add(this, "depthwise_kernel", kerasShape, perm);
        long[] pointwiseShape = [.. Enumerable.Repeat(1L, Rank), (long)channels * DepthMultiplier, Filters];
        // Keras (1..1, in·mult, filters) → torch (filters, in·mult, 1..1).
        int[] pointwisePerm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _pointwise = PointwiseSpec.Add(this, "pointwise_kernel", pointwiseShape, pointwisePerm);
    }

    private protected override long ExpectedInputChannels => _kernel!.KerasShape[^2];

    private protected override int? OutputChannels(int? inputChannels) => Filters;

    private protected override Tensor Convolve(Tensor x)
    {
        long channels = _kernel!.KerasShape[^2];
        var w = _kernel.Value;
        var depthwise = ForwardConv(x, w.reshape([channels * DepthMultiplier, 1, .. w.shape[2..]]), null, channels);
        var ones = Enumerable.Repeat(1L, Rank).ToArray();
        return ConvUtils.Conv(Rank, depthwise, _pointwise!.Value, Bias?.Value, ones, new long[Rank], ones, 1);
    }

    private protected override void WriteConfig(Dictionary<string, object?> config)
    {
        config["filters"] = Filters;
        config["depth_multiplier"] = DepthMultiplier;
        DepthwiseSpec.WriteConfig(config);
        PointwiseSpec.WriteConfig(config);
    }
}
