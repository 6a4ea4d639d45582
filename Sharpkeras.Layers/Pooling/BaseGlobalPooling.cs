using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>The shared body of the global pooling layers: max or mean over every spatial axis (keepDims keeps them as 1).</summary>
public abstract class BaseGlobalPooling : Layer
{
    /// <summary>Creates the layer.</summary>
    protected BaseGlobalPooling(int rank, bool isMax, string? dataFormat, bool keepDims, string? name) : base(name)
    {
        Rank = rank;
        IsMax = isMax;
        DataFormat = ConvUtils.DataFormat(dataFormat, GetType().Name);
        KeepDims = keepDims;
        SupportsMasking = rank == 1;
    }

    /// <summary>Spatial dimensions.</summary>
    public int Rank { get; }
    /// <summary>Max (true) or average (false).</summary>
    public bool IsMax { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }
    /// <summary>Keep the pooled axes with length 1.</summary>
    public bool KeepDims { get; }

    private long[] Axes(long dim) => DataFormat == "channels_last"
        ? Enumerable.Range(1, Rank).Select(i => (long)i).ToArray()
        : Enumerable.Range(2, Rank).Select(i => (long)i).ToArray();

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ConvUtils.CheckRank(this, inputShape, Rank);

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs[0].dim() != Rank + 2)
            throw new ArgumentException($"Input of layer '{Name}' ({GetType().Name}) must have rank {Rank + 2}; got shape {ShapeUtils.Format(inputs[0].shape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask)
    {
        var axes = Axes(inputs.dim());
        if (mask is not null && Rank == 1)
        {
            // Keras: masked steps do not count (mean over the unmasked steps; max ignores them).
            var m = mask.to(inputs.dtype).unsqueeze(DataFormat == "channels_last" ? -1 : 1);
            if (IsMax) return (inputs + (1 - m) * -1e30f).amax(axes, keepdim: KeepDims);
            return (inputs * m).sum(axes, keepdim: KeepDims) / m.sum(axes, keepdim: KeepDims).clamp_min(1e-12f);
        }
        return IsMax ? inputs.amax(axes, keepdim: KeepDims) : inputs.mean(axes, keepdim: KeepDims);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Call(inputs, training, null);

    /// <inheritdoc />
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ConvUtils.CheckRank(this, inputShape, Rank);
        int c = DataFormat == "channels_last" ? inputShape.Length - 1 : 1;
        if (!KeepDims) return [inputShape[0], inputShape[c]];
        var r = (int?[])inputShape.Clone();
        foreach (var a in Axes(inputShape.Length)) r[a] = 1;
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat; c["keep_dims"] = KeepDims;
        return c;
    }
}
