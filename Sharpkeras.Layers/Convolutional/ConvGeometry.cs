using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The spatial arguments of a convolution — kernel size, strides, padding, data format, dilation rate — checked as
/// Keras checks them, with what follows from them: output lengths, the channels_last ↔ channels_first views, the
/// forward convolution with Keras's "same" padding, and their config entries. Shared by <see cref="BaseConvolution"/>
/// and <see cref="ConvLSTMCell"/>.
/// </summary>
internal sealed class ConvGeometry
{
    /// <summary>Expands and checks the arguments (an int means the same value for every dimension).</summary>
    /// <param name="rank">The number of spatial dimensions.</param>
    /// <param name="kernelSize">The kernel's size.</param>
    /// <param name="strides">The strides (null: 1).</param>
    /// <param name="padding">"valid", "same", or "causal" where <paramref name="allowCausal"/>.</param>
    /// <param name="allowCausal">Whether "causal" padding is accepted (Conv1D).</param>
    /// <param name="dataFormat">"channels_last", "channels_first", or null for <see cref="Keras.Config.ImageDataFormat"/>.</param>
    /// <param name="dilationRate">The dilation rate (null: 1).</param>
    /// <param name="owner">The layer's description for error messages ("Conv2D 'conv2d'").</param>
    public ConvGeometry(int rank, IntTuple kernelSize, IntTuple? strides, string padding, bool allowCausal, string? dataFormat,
        IntTuple? dilationRate, string owner)
    {
        Rank = rank;
        KernelSize = kernelSize.Expand(rank, nameof(kernelSize), owner);
        Strides = (strides ?? 1).Expand(rank, nameof(strides), owner);
        DilationRate = (dilationRate ?? 1).Expand(rank, nameof(dilationRate), owner);
        if (Strides.Any(s => s > 1) && DilationRate.Any(d => d > 1))
            throw new ArgumentException(
                $"{owner}: strides > 1 cannot be combined with dilationRate > 1 (Keras); got strides {Fmt(Strides)} and dilationRate {Fmt(DilationRate)}.", nameof(dilationRate));
        Padding = ConvUtils.Padding(padding, allowCausal, owner);
        DataFormat = ConvUtils.DataFormat(dataFormat, owner);
        StridesLong = Strides.Select(s => (long)s).ToArray();
        DilationLong = DilationRate.Select(d => (long)d).ToArray();
        ToFirst = ConvUtils.ToChannelsFirst(rank);
        ToLast = ConvUtils.ToChannelsLast(rank);
    }

    /// <summary>The number of spatial dimensions.</summary>
    public int Rank { get; }

    /// <summary>The kernel's size, one value per dimension.</summary>
    public int[] KernelSize { get; }

    /// <summary>The strides, one value per dimension.</summary>
    public int[] Strides { get; }

    /// <summary>The dilation rate, one value per dimension.</summary>
    public int[] DilationRate { get; }

    /// <summary>"valid", "same" or "causal".</summary>
    public string Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>The strides as torch takes them.</summary>
    public long[] StridesLong { get; }

    /// <summary>The dilation rate as torch takes it.</summary>
    public long[] DilationLong { get; }

    /// <summary>The permutation from channels_last to channels_first.</summary>
    public long[] ToFirst { get; }

    /// <summary>The permutation from channels_first to channels_last.</summary>
    public long[] ToLast { get; }

    /// <summary>Whether the channels are the last axis.</summary>
    public bool ChannelsLast => DataFormat == "channels_last";

    /// <summary>"(3, 3)".</summary>
    public static string Fmt(int[] v) => "(" + string.Join(", ", v) + ")";

    /// <summary>The channel count of a shape (batch first) in this data format.</summary>
    public int? Channels(int?[] shape) => ChannelsLast ? shape[^1] : shape[1];

    /// <summary>The spatial dims of a shape (batch first).</summary>
    public int?[] Spatial(int?[] shape) => ConvUtils.Spatial(shape, Rank, ChannelsLast);

    /// <summary>A shape (batch first) from its batch, spatial dims and channels, in this data format.</summary>
    public int?[] Shape(int? batch, int?[] spatial, int? channels) => ChannelsLast ? [batch, .. spatial, channels] : [batch, channels, .. spatial];

    /// <summary>The output length of spatial dimension <paramref name="i"/> of a forward convolution (may be &lt;= 0 when the kernel does not fit).</summary>
    public int? OutputLength(int? length, int i) => ConvUtils.ConvOutputLength(length, KernelSize[i], Padding, Strides[i], DilationRate[i]);

    /// <summary>A channels_first view of a tensor in this data format.</summary>
    public Tensor ToChannelsFirst(Tensor x) => ChannelsLast ? x.permute(ToFirst) : x;

    /// <summary>A channels_first tensor back in this data format.</summary>
    public Tensor FromChannelsFirst(Tensor x) => ChannelsLast ? x.permute(ToLast) : x;

    /// <summary>A forward convolution of a channels_first input with torch-layout weight <paramref name="w"/>, the padding resolved as Keras does.</summary>
    public Tensor Forward(Tensor x, Tensor w, Tensor? b, long groups = 1)
    {
        var (symmetric, explicitPad) = ConvUtils.ResolvePadding(x.shape, KernelSize, Strides, DilationRate, Padding);
        if (explicitPad != null) x = nn.functional.pad(x, explicitPad);
        return ConvUtils.Conv(Rank, x, w, b, StridesLong, symmetric, DilationLong, groups);
    }

    /// <summary>Writes <c>kernel_size</c>, <c>strides</c>, <c>padding</c>, <c>data_format</c> and <c>dilation_rate</c>.</summary>
    public void WriteConfig(Dictionary<string, object?> c)
    {
        c["kernel_size"] = KernelSize.ToArray();
        c["strides"] = Strides.ToArray();
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        c["dilation_rate"] = DilationRate.ToArray();
    }
}
