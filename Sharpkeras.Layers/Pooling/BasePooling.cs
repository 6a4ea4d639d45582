using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared body of the max and average pooling layers (Keras's <c>BasePooling</c>): poolSize, strides
/// (default poolSize), padding "valid"/"same" with TensorFlow's split, channels_last by default. Average pooling
/// with "same" padding averages only the real cells, as Keras does.
/// </summary>
public abstract class BasePooling : Layer
{
    /// <summary>Creates the layer.</summary>
    protected BasePooling(int rank, bool isMax, int[] poolSize, int[]? strides, string padding, string? dataFormat, string? name)
        : base(name)
    {
        string ln = GetType().Name;
        Rank = rank;
        IsMax = isMax;
        PoolSize = ConvUtils.Tuple(poolSize, rank, nameof(poolSize), ln);
        Strides = ConvUtils.Tuple(strides ?? PoolSize, rank, nameof(strides), ln);
        Padding = ConvUtils.Padding(padding, ln);
        DataFormat = ConvUtils.DataFormat(dataFormat, ln);
    }

    /// <summary>Spatial dimensions.</summary>
    public int Rank { get; }
    /// <summary>Max (true) or average (false).</summary>
    public bool IsMax { get; }
    /// <summary>Window size per axis.</summary>
    public int[] PoolSize { get; }
    /// <summary>Strides per axis.</summary>
    public int[] Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ConvUtils.CheckRank(this, inputShape, Rank);
        var o = ComputeOutputShape(inputShape);
        if (o.Skip(1).Any(d => d is 0))
            throw new ArgumentException(
                $"Layer '{Name}' ({GetType().Name}) with pool size {string.Join("×", PoolSize)} and padding '{Padding}' cannot be applied to input shape {ShapeUtils.Format(inputShape)}: the output would be {ShapeUtils.Format(o)}.");
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs[0].dim() != Rank + 2)
            throw new ArgumentException($"Input of layer '{Name}' ({GetType().Name}) must have rank {Rank + 2}; got shape {ShapeUtils.Format(inputs[0].shape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = DataFormat == "channels_last" ? ConvUtils.ToChannelsFirst(inputs) : inputs;
        var k = PoolSize.Select(v => (long)v).ToArray();
        var s = Strides.Select(v => (long)v).ToArray();
        Tensor y;
        if (Padding == "same")
        {
            var pads = new (int, int)[Rank];
            for (int i = 0; i < Rank; i++) pads[i] = ConvUtils.SamePad(x.shape[2 + i], PoolSize[i], Strides[i], 1);
            var padList = ConvUtils.PadList(pads);
            if (padList.Any(p => p != 0))
            {
                if (IsMax)
                {
                    y = Pool(nn.functional.pad(x, padList, value: double.NegativeInfinity), k, s);
                }
                else
                {
                    var sum = Pool(nn.functional.pad(x, padList), k, s);
                    var ones = torch.ones([1, 1, .. x.shape[2..]], dtype: x.dtype, device: x.device);
                    var count = Pool(nn.functional.pad(ones, padList), k, s);
                    y = sum / count;
                }
                return DataFormat == "channels_last" ? ConvUtils.ToChannelsLast(y) : y;
            }
        }
        y = Pool(x, k, s);
        return DataFormat == "channels_last" ? ConvUtils.ToChannelsLast(y) : y;
    }

    private Tensor Pool(Tensor x, long[] k, long[] s) => (Rank, IsMax) switch
    {
        (1, true) => nn.functional.max_pool1d(x, k[0], s[0]),
        (2, true) => nn.functional.max_pool2d(x, k, s),
        (3, true) => nn.functional.max_pool3d(x, k, s),
        (1, false) => nn.functional.avg_pool1d(x, k[0], s[0]),
        (2, false) => nn.functional.avg_pool2d(x, k, s),
        _ => nn.functional.avg_pool3d(x, k, s),
    };

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ConvUtils.CheckRank(this, inputShape, Rank);
        var r = (int?[])inputShape.Clone();
        int first = DataFormat == "channels_last" ? 1 : 2;
        for (int i = 0; i < Rank; i++)
            r[first + i] = ConvUtils.OutputLength(inputShape[first + i], PoolSize[i], Padding, Strides[i]);
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = PoolSize; c["strides"] = Strides; c["padding"] = Padding; c["data_format"] = DataFormat;
        return c;
    }
}
