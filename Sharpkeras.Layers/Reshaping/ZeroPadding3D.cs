using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Adds zeros before and after each of the three spatial axes of volumes (Keras's <c>ZeroPadding3D</c>):
/// (batch, dim1, dim2, dim3, channels), or (batch, channels, dim1, dim2, dim3) with <c>dataFormat: "channels_first"</c>.
/// Keras's default pads 1 on every side. Integer and bool inputs keep their type.
/// </summary>
public sealed class ZeroPadding3D : Layer
{
    private const string Owner = "ZeroPadding3D";

    /// <summary>The same padding on all six sides (Keras's default 1).</summary>
    /// <param name="padding">Zeros added on each side (&gt;= 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding3D(int padding = 1, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([[padding, padding], [padding, padding], [padding, padding]], dataFormat, inputShape, name) { }

    /// <summary>Symmetric padding per spatial axis: (dim1, dim2, dim3).</summary>
    /// <param name="padding">Zeros on both sides of each spatial axis, each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding3D((int dim1, int dim2, int dim3) padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([[padding.dim1, padding.dim1], [padding.dim2, padding.dim2], [padding.dim3, padding.dim3]], dataFormat, inputShape, name) { }

    /// <summary>Padding as Keras writes it in configs: [[before, after] × 3] (an inner entry may be one int).</summary>
    /// <param name="padding">Three entries of 1 or 2 non-negative ints.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding3D(int[][] padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        Padding = Reshaping3D.Pairs(padding, nameof(padding), Owner);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        AcceptsIntegerInput = true;
    }

    /// <summary>(before, after) for dim1, dim2 and dim3.</summary>
    public (int Before, int After)[] Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private string Layout => Reshaping3D.Layout(DataFormat);

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 5, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ReshapingArgs.CheckRank(this, inputs.shape, 5, Layout);
        var p = Padding;
        // torch's pad lists (before, after) pairs from the last axis backwards.
        long[] pads = DataFormat == "channels_last"
            ? [0, 0, p[2].Before, p[2].After, p[1].Before, p[1].After, p[0].Before, p[0].After]
            : [p[2].Before, p[2].After, p[1].Before, p[1].After, p[0].Before, p[0].After];
        return nn.functional.pad(inputs, pads);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 5, Layout);
        var o = (int?[])inputShape.Clone();
        int first = Reshaping3D.FirstSpatialAxis(DataFormat);
        for (int i = 0; i < 3; i++) o[first + i] += Padding[i].Before + Padding[i].After;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = Padding.Select(p => new[] { p.Before, p.After }).ToArray();
        c["data_format"] = DataFormat;
        return c;
    }
}
