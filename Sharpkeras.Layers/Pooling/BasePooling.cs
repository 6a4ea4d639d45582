using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of the max and average pooling layers (Keras's <c>BasePooling</c>): a window of
/// <c>poolSize</c> slides by <c>strides</c> (default: <c>poolSize</c>) over the spatial dimensions.
/// </summary>
/// <remarks>
/// Output length per dimension: "valid" floor((n − pool) / stride) + 1, "same" ceil(n / stride), with
/// TF's "same" padding (the odd cell at the end). Padded cells never win a max and are left out of an
/// average (Keras/TF semantics: each output is the mean of the real cells under its window).
/// channels_last inputs are viewed as channels_first without copying, as for the convolutions.
/// </remarks>
public abstract class BasePooling : Layer
{
    private readonly bool _max;
    private readonly long[] _pool;
    private readonly long[] _strides;
    private readonly long[] _toFirst;
    private readonly long[] _toLast;
    private readonly int[] _ones;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions: 1, 2 or 3.</param>
    /// <param name="max">True for max pooling, false for average pooling.</param>
    /// <param name="poolSize">The window size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default: <paramref name="poolSize"/>).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BasePooling(int rank, bool max, IntTuple poolSize, IntTuple? strides, string padding, string? dataFormat,
        int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        string owner = $"{GetType().Name} '{Name}'";
        Rank = rank;
        _max = max;
        PoolSize = poolSize.Expand(rank, nameof(poolSize), owner);
        Strides = strides is IntTuple s ? s.Expand(rank, nameof(strides), owner) : PoolSize.ToArray();
        Padding = ConvUtils.Padding(padding, allowCausal: false, owner);
        DataFormat = ConvUtils.DataFormat(dataFormat, owner);
        _pool = PoolSize.Select(p => (long)p).ToArray();
        _strides = Strides.Select(p => (long)p).ToArray();
        _toFirst = ConvUtils.ToChannelsFirst(rank);
        _toLast = ConvUtils.ToChannelsLast(rank);
        _ones = Enumerable.Repeat(1, rank).ToArray();
    }

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank { get; }

    /// <summary>The window size, one value per dimension.</summary>
    public int[] PoolSize { get; }

    /// <summary>The strides, one value per dimension (default: the pool size).</summary>
    public int[] Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private bool ChannelsLast => DataFormat == "channels_last";

    private static string Fmt(int[] v) => "(" + string.Join(", ", v) + ")";

    private void CheckRank(int?[] inputShape) => ConvUtils.CheckSpatialRank(this, inputShape, Rank, ChannelsLast);

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ComputeOutputShape(inputShape);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = ChannelsLast ? inputs.permute(_toFirst) : inputs;
        var (symmetric, explicitPad) = ConvUtils.ResolvePadding(x.shape, PoolSize, Strides, _ones, Padding);
        Tensor y;
        if (_max)
        {
            if (explicitPad != null) x = nn.functional.pad(x, explicitPad, value: double.NegativeInfinity);
            y = Rank switch
            {
                1 => nn.functional.max_pool1d(x, _pool[0], _strides[0], symmetric[0]),
                2 => nn.functional.max_pool2d(x, _pool, _strides, symmetric),
                _ => nn.functional.max_pool3d(x, _pool, _strides, symmetric),
            };
        }
        else if (explicitPad == null)
        {
            y = AvgPool(x, symmetric);
        }
        else
        {
            // Asymmetric "same": sum over the zero-padded window / number of real cells in it.
            var padded = nn.functional.pad(x, explicitPad);
            long[] maskShape = [1, 1, .. x.shape[2..]];
            var real = nn.functional.pad(torch.ones(maskShape, dtype: x.dtype, device: x.device), explicitPad);
            y = AvgPool(padded, new long[Rank]).div(AvgPool(real, new long[Rank]));
        }
        return ChannelsLast ? y.permute(_toLast) : y;
    }

    private Tensor AvgPool(Tensor x, long[] padding) => Rank switch
    {
        1 => nn.functional.avg_pool1d(x, _pool[0], _strides[0], padding[0], count_include_pad: false),
        2 => nn.functional.avg_pool2d(x, _pool, _strides, padding, count_include_pad: false),
        _ => nn.functional.avg_pool3d(x, _pool, _strides, padding, count_include_pad: false),
    };

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        if (InputShape != null)
        {
            int? expected = ChannelsLast ? InputShape[^1] : InputShape[1];
            int? got = ChannelsLast ? shape[^1] : shape[1];
            if (expected is int e && got != e)
                throw new ArgumentException(
                    $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected {e} channels ({DataFormat}), got shape {ShapeUtils.Format(inputs[0].shape)}.", nameof(inputs));
        }
        ComputeOutputShape(shape);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckRank(inputShape);
        var spatial = ConvUtils.Spatial(inputShape, Rank, ChannelsLast);
        var outSpatial = new int?[Rank];
        for (int i = 0; i < Rank; i++)
            outSpatial[i] = ConvUtils.ConvOutputLength(spatial[i], PoolSize[i], Padding, Strides[i], 1);
        int? channels = ChannelsLast ? inputShape[^1] : inputShape[1];
        int?[] output = ChannelsLast ? [inputShape[0], .. outSpatial, channels] : [inputShape[0], channels, .. outSpatial];
        if (outSpatial.Any(d => d is <= 0))
            throw ConvUtils.DoesNotFit(this, $"the pool {Fmt(PoolSize)} (strides {Fmt(Strides)})", inputShape, output, Padding);
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = PoolSize.ToArray();
        c["strides"] = Strides.ToArray();
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        return c;
    }
}
