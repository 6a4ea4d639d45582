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
/// <c>(filters, in_channels / groups, *kernel_size)</c>. Layouts and padding: see <see cref="BaseConvolution"/>.
/// </remarks>
public abstract class BaseConv : BaseConvolution
{
    private KerasVariable? _kernel;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions: 1, 2 or 3.</param>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive; Conv1D also takes "causal").</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="groups">The number of channel groups (divides the input channels and <paramref name="filters"/>).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">Initializer alias or object (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="kernelRegularizer">Regularizer for the kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="kernelConstraint">Constraint for the kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BaseConv(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, string? dataFormat,
        IntTuple? dilationRate, int groups, string? activation, bool useBias, object? kernelInitializer, object? biasInitializer,
        object? kernelRegularizer, object? biasRegularizer, object? activityRegularizer, object? kernelConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(rank, kernelSize, strides, padding, allowCausal: rank == 1, dataFormat, dilationRate, activation, useBias, biasInitializer,
            biasRegularizer, biasConstraint, activityRegularizer, inputShape, name)
    {
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{Owner}: argument 'filters' must be a positive integer; got {filters}.");
        if (groups <= 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{Owner}: argument 'groups' must be a positive integer; got {groups}.");
        if (filters % groups != 0)
            throw new ArgumentException($"{Owner}: argument 'filters' ({filters}) must be divisible by 'groups' ({groups}).", nameof(filters));
        Filters = filters;
        Groups = groups;
        KernelSpec = new WeightSpec("kernel", kernelInitializer, kernelRegularizer, kernelConstraint, "glorot_uniform");
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The number of channel groups (each group of input channels is convolved separately).</summary>
    public int Groups { get; }

    /// <summary>Initializer, regularizer and constraint of the kernel.</summary>
    public WeightSpec KernelSpec { get; }

    /// <summary>Kernel initializer.</summary>
    public Initializers.Initializer KernelInitializer => KernelSpec.Initializer;

    /// <summary>Kernel regularizer.</summary>
    public Regularizers.Regularizer? KernelRegularizer => KernelSpec.Regularizer;

    /// <summary>Kernel constraint.</summary>
    public Constraints.Constraint? KernelConstraint => KernelSpec.Constraint;

    /// <summary>The kernel weight (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    private protected override void CheckInputChannels(int channels, int?[] inputShape)
    {
        if (channels % Groups != 0)
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}): the input's {channels} channels must be divisible by groups ({Groups}); input shape {ShapeUtils.Format(inputShape)}.", "inputs");
    }

    private protected override void BuildKernels(int channels)
    {
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), channels / Groups, Filters];
        // Keras (k1..kr, in, out) → torch (out, in, k1..kr).
        int[] perm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _kernel = KernelSpec.Add(this, "kernel", kerasShape, perm);
    }

    private protected override long ExpectedInputChannels => _kernel!.KerasShape[^2] * Groups;

    private protected override int? OutputChannels(int? inputChannels) => Filters;

    private protected override Tensor Convolve(Tensor x) => ForwardConv(x, _kernel!.Value, Bias?.Value, Groups);

    private protected override void WriteConfig(Dictionary<string, object?> config)
    {
        config["filters"] = Filters;
        config["groups"] = Groups;
        KernelSpec.WriteConfig(config);
    }
}
