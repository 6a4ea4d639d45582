using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of <see cref="DepthwiseConv1D"/> and <see cref="DepthwiseConv2D"/> (Keras's
/// <c>BaseDepthwiseConv</c>): each input channel is convolved with its own <c>depthMultiplier</c> kernels,
/// giving <c>in_channels · depthMultiplier</c> output channels.
/// </summary>
/// <remarks>
/// The kernel has Keras's shape <c>kernel_size + (in_channels, depth_multiplier)</c> and is stored as
/// (in, mult, *kernel_size), viewed as torch's grouped layout (in·mult, 1, *kernel_size). Layouts and padding:
/// see <see cref="BaseConvolution"/>.
/// </remarks>
public abstract class BaseDepthwiseConv : BaseConvolution
{
    private KerasVariable? _kernel;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions: 1 or 2.</param>
    /// <param name="depthMultiplier">The number of output channels per input channel (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">Initializer alias or object for the kernel (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="depthwiseRegularizer">Regularizer for the kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="depthwiseConstraint">Constraint for the kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BaseDepthwiseConv(int rank, int depthMultiplier, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, string? activation, bool useBias, object? depthwiseInitializer, object? biasInitializer,
        object? depthwiseRegularizer, object? biasRegularizer, object? activityRegularizer, object? depthwiseConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias, biasInitializer,
            biasRegularizer, biasConstraint, activityRegularizer, inputShape, name)
    {
        if (depthMultiplier <= 0)
            throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier,
                $"{Owner}: argument 'depthMultiplier' must be a positive integer; got {depthMultiplier}.");
        DepthMultiplier = depthMultiplier;
        DepthwiseSpec = new WeightSpec("depthwise", depthwiseInitializer, depthwiseRegularizer, depthwiseConstraint, "glorot_uniform");
    }

    /// <summary>The number of output channels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>Initializer, regularizer and constraint of the depthwise kernel.</summary>
    public WeightSpec DepthwiseSpec { get; }

    /// <summary>Depthwise kernel initializer.</summary>
    public Initializers.Initializer DepthwiseInitializer => DepthwiseSpec.Initializer;

    /// <summary>Depthwise kernel regularizer.</summary>
    public Regularizers.Regularizer? DepthwiseRegularizer => DepthwiseSpec.Regularizer;

    /// <summary>Depthwise kernel constraint.</summary>
    public Constraints.Constraint? DepthwiseConstraint => DepthwiseSpec.Constraint;

    /// <summary>The depthwise kernel (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    private protected override void BuildKernels(int channels)
    {
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), channels, DepthMultiplier];
        // Keras (k1..kr, in, mult) → stored (in, mult, k1..kr), viewed as (in·mult, 1, k1..kr).
        int[] perm = [Rank, Rank + 1, .. Enumerable.Range(0, Rank)];
        _kernel = DepthwiseSpec.Add(this, "kernel", kerasShape, perm);
    }

    private protected override long ExpectedInputChannels => _kernel!.KerasShape[^2];

    private protected override int? OutputChannels(int? inputChannels) => inputChannels * DepthMultiplier;

    private protected override Tensor Convolve(Tensor x)
    {
        long channels = _kernel!.KerasShape[^2];
        var w = _kernel.Value;
        return ForwardConv(x, w.reshape([channels * DepthMultiplier, 1, .. w.shape[2..]]), Bias?.Value, channels);
    }

    private protected override void WriteConfig(Dictionary<string, object?> config)
    {
        config["depth_multiplier"] = DepthMultiplier;
        DepthwiseSpec.WriteConfig(config);
    }
}
