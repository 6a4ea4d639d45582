using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared part of the global pooling layers (Keras's <c>BaseGlobalPooling</c>): the maximum or mean over
/// every spatial dimension, giving (batch, channels), or (batch, 1, …, 1, channels) with <c>keepDims</c>.
/// </summary>
public abstract class BaseGlobalPooling : Layer
{
    private readonly bool _max;
    private readonly long[] _axes;

    /// <summary>Creates the layer; see the concrete classes for the arguments.</summary>
    /// <param name="rank">The number of spatial dimensions pooled: 1, 2 or 3.</param>
    /// <param name="max">True for the maximum, false for the average.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="keepDims">Whether to keep the pooled dimensions with length 1 (Keras's <c>keepdims</c>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BaseGlobalPooling(int rank, bool max, string? dataFormat, bool keepDims, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        Rank = rank;
        _max = max;
        DataFormat = ConvUtils.DataFormat(dataFormat, $"{GetType().Name} '{Name}'");
        KeepDims = keepDims;
        _axes = Enumerable.Range(DataFormat == "channels_last" ? 1 : 2, rank).Select(i => (long)i).ToArray();
    }

    /// <summary>The number of spatial dimensions (1, 2 or 3).</summary>
    public int Rank { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>Whether the pooled spatial dimensions are kept with length 1 (Keras's <c>keepdims</c>).</summary>
    public bool KeepDims { get; }

    /// <summary>The spatial axes reduced (of the input, batch axis 0).</summary>
    protected IReadOnlyList<long> Axes => _axes;

    private void CheckRank(int?[] inputShape) => ConvUtils.CheckSpatialRank(this, inputShape, Rank, DataFormat == "channels_last");

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => CheckRank(inputShape);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) =>
        _max ? inputs.amax(_axes, keepdim: KeepDims) : inputs.mean(_axes, keepdim: KeepDims);

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var shape = ShapeUtils.WithNullBatch(inputs[0].shape);
        CheckRank(shape);
        if (InputShape != null)
        {
            bool last = DataFormat == "channels_last";
            int? expected = last ? InputShape[^1] : InputShape[1];
            int? got = last ? shape[^1] : shape[1];
            if (expected is int e && got != e)
                throw new ArgumentException(
                    $"Input of layer '{Name}' ({GetType().Name}) is incompatible: expected {e} channels ({DataFormat}), got shape {ShapeUtils.Format(inputs[0].shape)}.", nameof(inputs));
        }
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckRank(inputShape);
        bool last = DataFormat == "channels_last";
        int? channels = last ? inputShape[^1] : inputShape[1];
        if (!KeepDims) return [inputShape[0], channels];
        var ones = Enumerable.Repeat<int?>(1, Rank);
        return last ? [inputShape[0], .. ones, channels] : [inputShape[0], channels, .. ones];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        c["keep_dims"] = KeepDims;
        return c;
    }
}
