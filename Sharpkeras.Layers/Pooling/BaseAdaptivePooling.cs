using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of the adaptive pooling layers (Keras's <c>BaseAdaptivePooling</c>): each spatial axis of length L is cut into
/// <c>outputSize</c> windows, window i spanning [⌊i·L/O⌋, ⌈(i+1)·L/O⌉), and each window is averaged or maximized — torch's
/// adaptive pooling, which Keras's torch backend calls. The output is (batch, *outputSize, channels) (channels_first:
/// (batch, channels, *outputSize)) whatever the input's spatial size.
/// </summary>
public abstract class BaseAdaptivePooling : Layer
{
    private readonly bool _max;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    private protected BaseAdaptivePooling(int rank, bool max, int[] outputSize, string? dataFormat, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(outputSize);
        string owner = GetType().Name;
        int[] size = outputSize.Length == 1 ? Enumerable.Repeat(outputSize[0], rank).ToArray()
            : outputSize.Length == rank ? outputSize.ToArray()
            : throw new ArgumentException($"{owner}: outputSize must be an int or {rank} ints; got {outputSize.Length} values ({string.Join(", ", outputSize)}).", nameof(outputSize));
        if (size.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"({string.Join(", ", size)})", $"{owner}: every value of outputSize must be >= 1; got ({string.Join(", ", size)}).");
        Rank = rank;
        _max = max;
        OutputSize = size;
        DataFormat = ConvUtils.DataFormat(dataFormat, $"{owner} '{Name}'");
    }

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank { get; }

    /// <summary>The output size of each spatial axis.</summary>
    public int[] OutputSize { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private void CheckRank(int?[] inputShape) => ConvUtils.CheckSpatialRank(this, inputShape, Rank, DataFormat == "channels_last");

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => CheckRank(inputShape);

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs) => CheckRank(ShapeUtils.WithNullBatch(inputs[0].shape));

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        bool last = DataFormat == "channels_last";
        var x = last ? inputs.permute(ConvUtils.ToChannelsFirst(Rank)) : inputs;
        var size = OutputSize.Select(s => (long)s).ToArray();
        var y = (Rank, _max) switch
        {
            (1, false) => nn.functional.adaptive_avg_pool1d(x, size[0]),
            (1, true) => nn.functional.adaptive_max_pool1d(x, size[0]),
            (2, false) => nn.functional.adaptive_avg_pool2d(x, size),
            (2, true) => nn.functional.adaptive_max_pool2d(x, size),
            (_, false) => nn.functional.adaptive_avg_pool3d(x, size),
            _ => MaxPool3D(x, size),
        };
        return last ? y.permute(ConvUtils.ToChannelsLast(Rank)) : y;
    }

    /// <summary>
    /// Adaptive 3D max pooling as a 2D pooling of (height, width) then a 1D pooling of depth (the windows are boxes, so the maximum
    /// separates); TorchSharp 0.107's <c>adaptive_max_pool3d</c> calls the 1D kernel and fails.
    /// </summary>
    private static Tensor MaxPool3D(Tensor x, long[] size)
    {
        long n = x.shape[0], c = x.shape[1], d = x.shape[2];
        var hw = nn.functional.adaptive_max_pool2d(x.reshape(n, c * d, x.shape[3], x.shape[4]), [size[1], size[2]]); // (n, c·d, oh, ow)
        var byDepth = hw.reshape(n, c, d, size[1] * size[2]).permute(0, 1, 3, 2).reshape(n, c * size[1] * size[2], d);
        var pooled = nn.functional.adaptive_max_pool1d(byDepth, size[0]);                                            // (n, c·oh·ow, od)
        return pooled.reshape(n, c, size[1] * size[2], size[0]).permute(0, 1, 3, 2).reshape(n, c, size[0], size[1], size[2]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckRank(inputShape);
        var spatial = OutputSize.Select(s => (int?)s);
        return DataFormat == "channels_last"
            ? [inputShape[0], .. spatial, inputShape[^1]]
            : [inputShape[0], inputShape[1], .. spatial];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["output_size"] = OutputSize.ToArray();
        c["data_format"] = DataFormat;
        return c;
    }
}
