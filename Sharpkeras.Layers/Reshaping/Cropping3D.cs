using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Removes entries before and after each of the three spatial axes of volumes (Keras's <c>Cropping3D</c>):
/// (batch, dim1, dim2, dim3, channels), or (batch, channels, dim1, dim2, dim3) with <c>dataFormat: "channels_first"</c>.
/// Keras's default crops 1 on every side. Integer and bool inputs keep their type.
/// </summary>
public sealed class Cropping3D : Layer
{
    private const string Owner = "Cropping3D";

    /// <summary>The same cropping on all six sides (Keras's default 1).</summary>
    /// <param name="cropping">Entries removed on each side (&gt;= 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping3D(int cropping = 1, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([[cropping, cropping], [cropping, cropping], [cropping, cropping]], dataFormat, inputShape, name) { }

    /// <summary>Symmetric cropping per spatial axis: (dim1, dim2, dim3).</summary>
    /// <param name="cropping">Entries removed on both sides of each spatial axis, each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping3D((int dim1, int dim2, int dim3) cropping, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([[cropping.dim1, cropping.dim1], [cropping.dim2, cropping.dim2], [cropping.dim3, cropping.dim3]], dataFormat, inputShape, name) { }

    /// <summary>Cropping as Keras writes it in configs: [[before, after] × 3] (an inner entry may be one int).</summary>
    /// <param name="cropping">Three entries of 1 or 2 non-negative ints.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping3D(int[][] cropping, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        Cropping = Reshaping3D.Pairs(cropping, nameof(cropping), Owner);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        AcceptsIntegerInput = true;
    }

    /// <summary>(before, after) for dim1, dim2 and dim3.</summary>
    public (int Before, int After)[] Cropping { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private void Check(int?[] shape)
    {
        ReshapingArgs.CheckRank(this, shape, 5, Reshaping3D.Layout(DataFormat));
        int first = Reshaping3D.FirstSpatialAxis(DataFormat);
        for (int i = 0; i < 3; i++)
            if (shape[first + i] is int d && Cropping[i].Before + Cropping[i].After >= d)
                throw new ArgumentException(
                    $"Layer '{Name}' (Cropping3D): cropping [{string.Join(", ", Cropping.Select(c => $"({c.Before}, {c.After})"))}] must remove fewer entries than each " +
                    $"spatial axis has; got input shape {ShapeUtils.Format(shape)} ({DataFormat}).");
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => Check(inputShape);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        Check(ReshapingArgs.Nullable(inputs.shape));
        int first = Reshaping3D.FirstSpatialAxis(DataFormat);
        var x = inputs;
        for (int i = 0; i < 3; i++)
        {
            long axis = first + i;
            x = x.narrow(axis, Cropping[i].Before, x.shape[axis] - Cropping[i].Before - Cropping[i].After);
        }
        return x;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        Check(inputShape);
        var o = (int?[])inputShape.Clone();
        int first = Reshaping3D.FirstSpatialAxis(DataFormat);
        for (int i = 0; i < 3; i++) o[first + i] -= Cropping[i].Before + Cropping[i].After;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["cropping"] = Cropping.Select(p => new[] { p.Before, p.After }).ToArray();
        c["data_format"] = DataFormat;
        return c;
    }
}
