using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Shared argument checks and shape arithmetic of the convolution and pooling layers.</summary>
internal static class ConvUtils
{
    static ConvUtils() => OneDnnGuard.Apply();

    /// <summary>"channels_last" / "channels_first" (null: <see cref="Keras.Config.ImageDataFormat"/>).</summary>
    public static string DataFormat(string? dataFormat, string owner)
    {
        var df = dataFormat ?? Keras.Config.ImageDataFormat;
        if (df is not ("channels_last" or "channels_first"))
            throw new ArgumentException($"{owner}: argument 'dataFormat' must be 'channels_last' or 'channels_first'; got '{dataFormat}'.", nameof(dataFormat));
        return df;
    }

    /// <summary>"valid", "same" (and "causal" where allowed), case-insensitive like Keras.</summary>
    public static string Padding(string padding, bool allowCausal, string owner)
    {
        ArgumentNullException.ThrowIfNull(padding);
        var p = padding.ToLowerInvariant();
        if (p is "valid" or "same" || (allowCausal && p == "causal")) return p;
        throw new ArgumentException(
            $"{owner}: argument 'padding' must be {(allowCausal ? "'valid', 'same' or 'causal'" : "'valid' or 'same'")}; got '{padding}'.", nameof(padding));
    }

    /// <summary>Keras's convolution output length (null stays null; may be &lt;= 0 for a kernel larger than the input).</summary>
    public static int? ConvOutputLength(int? length, int kernel, string padding, int stride, int dilation)
    {
        if (length is not int n) return null;
        int effective = (kernel - 1) * dilation + 1;
        return padding == "valid"
            ? (int)Math.Floor((n - effective) / (double)stride) + 1
            : (n - 1) / stride + 1;   // same / causal: ceil(n / stride)
    }

    /// <summary>TF/Keras "same" padding: total = max((out-1)·s + k_eff − n, 0), the extra cell at the end.</summary>
    public static (long before, long after) SamePadding(long length, int kernel, int stride, int dilation)
    {
        long effective = (long)(kernel - 1) * dilation + 1;
        long output = (length + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + effective - length, 0);
        long before = total / 2;
        return (before, total - before);
    }

    /// <summary>Permutation taking a channels_last tensor of <paramref name="rank"/> spatial dims to channels_first.</summary>
    public static long[] ToChannelsFirst(int rank)
    {
        var p = new long[rank + 2];
        p[0] = 0;
        p[1] = rank + 1;
        for (int i = 0; i < rank; i++) p[i + 2] = i + 1;
        return p;
    }

    /// <summary>Permutation taking a channels_first tensor back to channels_last.</summary>
    public static long[] ToChannelsLast(int rank)
    {
        var p = new long[rank + 2];
        p[0] = 0;
        for (int i = 0; i < rank; i++) p[i + 1] = i + 2;
        p[rank + 1] = 1;
        return p;
    }

    /// <summary>
    /// The padding for a channels_first tensor: symmetric amounts to give the torch op, and the
    /// explicit <c>F.pad</c> list (last dim first) when any dimension is asymmetric (null otherwise).
    /// </summary>
    public static (long[] symmetric, long[]? explicitPad) ResolvePadding(long[] shape, int[] kernel, int[] strides, int[] dilation, string padding)
    {
        int rank = kernel.Length;
        var sym = new long[rank];
        if (padding == "valid") return (sym, null);
        var before = new long[rank];
        var after = new long[rank];
        bool asymmetric = false;
        for (int i = 0; i < rank; i++)
        {
            if (padding == "causal")
            {
                before[i] = (long)(kernel[i] - 1) * dilation[i];
                after[i] = 0;
            }
            else (before[i], after[i]) = SamePadding(shape[i + 2], kernel[i], strides[i], dilation[i]);
            if (before[i] != after[i]) asymmetric = true;
        }
        if (!asymmetric) return (before, null);
        var pad = new long[2 * rank];
        for (int i = 0; i < rank; i++)
        {
            // F.pad lists (before, after) pairs from the last dimension backwards.
            pad[2 * i] = before[rank - 1 - i];
            pad[2 * i + 1] = after[rank - 1 - i];
        }
        return (sym, pad);
    }

    /// <summary>
    /// Checks that an input shape (batch included) of a convolution-like layer over <paramref name="rank"/> spatial axes
    /// has rank + 2 dimensions; the message names the layer and the expected layout.
    /// </summary>
    public static void CheckSpatialRank(Layer layer, int?[] inputShape, int rank, bool channelsLast)
    {
        if (inputShape.Length == rank + 2) return;
        string dims = rank switch { 1 => "steps", 2 => "height, width", _ => "depth, height, width" };
        string layout = channelsLast ? $"(batch, {dims}, channels)" : $"(batch, channels, {dims})";
        throw new ArgumentException(
            $"Input of layer '{layer.Name}' ({layer.GetType().Name}) must have rank {rank + 2} {layout}; got shape {ShapeUtils.Format(inputShape)}.", "inputs");
    }

    /// <summary>The spatial dims of a shape (batch first) for a data format.</summary>
    public static int?[] Spatial(int?[] shape, int rank, bool channelsLast) =>
        channelsLast ? shape[1..(rank + 1)] : shape[2..(rank + 2)];

    /// <summary>Keras-style description of an initializer for configs: its snake-case alias when it has one.</summary>
    public static object InitializerConfig(Initializers.Initializer init)
    {
        var alias = NameScope.ToSnakeCase(init.ClassName);
        return Initializers.Initializer.Aliases.Contains(alias) && init.Seed is null ? alias : new Dictionary<string, object?>
        {
            ["class_name"] = init.ClassName,
            ["config"] = init.GetConfig(),
        };
    }

    /// <summary>Keras-style description of a regularizer for configs: null, an alias, or class name plus config.</summary>
    public static object? RegularizerConfig(Regularizers.Regularizer? r) => r switch
    {
        null => null,
        Regularizers.L1 { Factor: 0.01 } => "l1",
        Regularizers.L2 { Factor: 0.01 } => "l2",
        Regularizers.L1L2 { L1Factor: 0.0, L2Factor: 0.0 } => "l1_l2",
        _ => new Dictionary<string, object?> { ["class_name"] = r.GetType().Name, ["config"] = r.GetConfig() },
    };

    /// <summary>Keras-style description of a constraint for configs (its alias).</summary>
    public static object? ConstraintConfig(Constraints.Constraint? c) => c switch
    {
        null => null,
        Constraints.NonNeg => "non_neg",
        Constraints.MaxNorm => "max_norm",
        Constraints.UnitNorm => "unit_norm",
        _ => c.GetType().Name,
    };


    /// <summary>Runs torch's convolution of the given rank on a channels_first input.</summary>
    /// <remarks>
    /// Channels_last inputs are read through their permuted view (no copy). Only when oneDNN is still on (see
    /// <see cref="OneDnnGuard"/>), a depthwise convolution with a multiplier gets a contiguous input: oneDNN's
    /// result for that case on a channels_last view is wrong.
    /// </remarks>
    public static Tensor Conv(int rank, Tensor x, Tensor w, Tensor? b, long[] strides, long[] padding, long[] dilation, long groups)
    {
        OneDnnGuard.Apply();
        if (!OneDnnGuard.Disabled && groups > 1 && w.shape[1] == 1 && w.shape[0] > groups && !x.is_contiguous()) x = x.contiguous();
        return ConvOp(rank, x, w, b, strides, padding, dilation, groups);
    }

    private static Tensor ConvOp(int rank, Tensor x, Tensor w, Tensor? b, long[] strides, long[] padding, long[] dilation, long groups) => rank switch
    {
        1 => nn.functional.conv1d(x, w, b, strides[0], padding[0], dilation[0], groups),
        2 => nn.functional.conv2d(x, w, b, strides, padding, dilation, groups),
        _ => nn.functional.conv3d(x, w, b, strides, padding, dilation, groups),
    };

    /// <summary>Runs torch's transposed convolution of the given rank on a channels_first input (no padding).</summary>
    public static Tensor ConvTranspose(int rank, Tensor x, Tensor w, Tensor? b, long[] strides, long[] dilation)
    {
        OneDnnGuard.Apply();
        return ConvTransposeOp(rank, x, w, b, strides, dilation);
    }

    private static Tensor ConvTransposeOp(int rank, Tensor x, Tensor w, Tensor? b, long[] strides, long[] dilation) => rank switch
    {
        1 => nn.functional.conv_transpose1d(x, w, b, strides[0], 0, 0, dilation[0], 1),
        2 => nn.functional.conv_transpose2d(x, w, b, strides, [0, 0], [0, 0], dilation, 1),
        _ => nn.functional.conv_transpose3d(x, w, b, strides, [0, 0, 0], [0, 0, 0], dilation, 1),
    };

    /// <summary>Keras's message for a kernel that does not fit its input.</summary>
    public static ArgumentException DoesNotFit(Layer layer, string what, int?[] inputShape, int?[] outputShape, string padding) => new(
        $"Layer '{layer.Name}' ({layer.GetType().Name}): {what} with padding '{padding}' does not fit input shape {ShapeUtils.Format(inputShape)}: " +
        $"the output shape would be {ShapeUtils.Format(outputShape)}, with a dimension <= 0. Use a smaller kernel, padding 'same', or a larger input.");

    /// <summary>Formats a shape of longs in Keras notation.</summary>
    public static string Format(long[] shape) => ShapeUtils.Format(shape);
}
