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
public abstract class BaseConvTranspose : BaseConvolution
{
    private KerasVariable? _kernel;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions: 1, 2 or 3.</param>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="outputPadding">Extra cells at the end of each dimension (each &lt; its stride), or null for Keras's default size.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
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
    protected BaseConvTranspose(int rank, int filters, IntTuple kernelSize, IntTuple? strides, string padding, IntTuple? outputPadding,
        string? dataFormat, IntTuple? dilationRate, string? activation, bool useBias, object? kernelInitializer, object? biasInitializer,
        object? kernelRegularizer, object? biasRegularizer, object? activityRegularizer, object? kernelConstraint,
        object? biasConstraint, int?[]? inputShape, string? name)
        : base(rank, kernelSize, strides, padding, allowCausal: false, dataFormat, dilationRate, activation, useBias, biasInitializer,
            biasRegularizer, biasConstraint, activityRegularizer, inputShape, name)
    {
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{Owner}: argument 'filters' must be a positive integer; got {filters}.");
        Filters = filters;
        OutputPadding = outputPadding?.Expand(rank, nameof(outputPadding), Owner, min: 0);
        if (OutputPadding != null)
            for (int i = 0; i < rank; i++)
                if (OutputPadding[i] >= Strides[i])
                    throw new ArgumentException(
                        $"{Owner}: every value of 'outputPadding' must be < the stride; got outputPadding {Fmt(OutputPadding)} and strides {Fmt(Strides)}.", nameof(outputPadding));
        KernelSpec = new WeightSpec("kernel", kernelInitializer, kernelRegularizer, kernelConstraint, "glorot_uniform");
    }

    /// <summary>The number of output channels.</summary>
    public int Filters { get; }

    /// <summary>The extra cells added at the end of each output dimension, or null for Keras's inferred amount.</summary>
    public int[]? OutputPadding { get; }

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

    private protected override int? OutputLength(int? length, int i)
    {
        if (length is not int n) return null;
        int k = (KernelSize[i] - 1) * DilationRate[i] + 1, s = Strides[i];
        int? op = OutputPadding?[i];
        if (Padding == "valid") return (n - 1) * s + k + (op ?? Math.Max(k, s) - k);
        return op is int p ? (n - 1) * s + k % 2 + p : n * s;
    }

    private protected override string KernelDescription => $"the kernel {Fmt(KernelSize)} (strides {Fmt(Strides)})";

    private (long left, long right) TfPadding(int i)
    {
        int k = (KernelSize[i] - 1) * DilationRate[i] + 1, s = Strides[i];
        int? op = OutputPadding?[i];
        if (Padding == "valid") return (k - 1, k - 1 + (op ?? Math.Max(k, s) - k));
        int padLen = op is int p ? k + k % 2 - 2 + p : s + k - 2;
        int left = Math.Min(padLen / 2 + padLen % 2, k - 1);
        return (left, padLen - left);
    }

    private protected override void BuildKernels(int channels)
    {
        long[] kerasShape = [.. KernelSize.Select(k => (long)k), Filters, channels];
        // Keras (k1..kr, out, in) → torch (in, out, k1..kr).
        int[] perm = [Rank + 1, Rank, .. Enumerable.Range(0, Rank)];
        _kernel = KernelSpec.Add(this, "kernel", kerasShape, perm);
    }

    private protected override long ExpectedInputChannels => _kernel!.KerasShape[^1];

    private protected override int? OutputChannels(int? inputChannels) => Filters;

    private protected override Tensor Convolve(Tensor x)
    {
        var crops = new (long left, long right)[Rank];
        bool extend = false;
        for (int i = 0; i < Rank; i++)
        {
            long k = (long)(KernelSize[i] - 1) * DilationRate[i] + 1;
            var (l, r) = TfPadding(i);
            crops[i] = (k - 1 - l, k - 1 - r);
            if (crops[i].left < 0 || crops[i].right < 0) extend = true;
        }
        var bias = Bias;
        // The bias is fused into the op unless zero cells are added afterwards (they get the bias too, as in TF).
        var y = ConvUtils.ConvTranspose(Rank, x, _kernel!.Value, extend ? null : bias?.Value, StridesLong, DilationLong);
        if (extend)
        {
            var pad = new long[2 * Rank];
            for (int i = 0; i < Rank; i++)
            {
                pad[2 * i] = -crops[Rank - 1 - i].left;
                pad[2 * i + 1] = -crops[Rank - 1 - i].right;
            }
            y = nn.functional.pad(y, pad);
            if (bias != null)
            {
                long[] shape = [1, Filters, .. Enumerable.Repeat(1L, Rank)];
                y = y.add(bias.Value.view(shape));
            }
        }
        else
        {
            for (int i = 0; i < Rank; i++)
                if (crops[i].left > 0 || crops[i].right > 0)
                    y = y.narrow(i + 2, crops[i].left, y.shape[i + 2] - crops[i].left - crops[i].right);
        }
        return y;
    }

    private protected override void WriteConfig(Dictionary<string, object?> config)
    {
        config["filters"] = Filters;
        config["output_padding"] = OutputPadding?.ToArray();
        KernelSpec.WriteConfig(config);
    }
}
