using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Removes rows and columns at the top, bottom, left and right of images (Keras's <c>Cropping2D</c>):
/// (batch, rows, cols, channels), or (batch, channels, rows, cols) with <c>dataFormat: "channels_first"</c>.
/// Keras's default crops nothing. Integer and bool inputs keep their type.
/// </summary>
public sealed class Cropping2D : Layer
{
    private const string Owner = "Cropping2D";

    /// <summary>The same cropping on all four sides (default 0: Keras's ((0, 0), (0, 0))).</summary>
    /// <param name="cropping">Rows/columns removed on each side (&gt;= 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping2D(int cropping = 0, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(((cropping, cropping), (cropping, cropping)), dataFormat, inputShape, name) { }

    /// <summary>Symmetric cropping: (rows cut at top and bottom, columns cut at left and right).</summary>
    /// <param name="cropping">(symmetric height cropping, symmetric width cropping), each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping2D((int rows, int cols) cropping, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(((cropping.rows, cropping.rows), (cropping.cols, cropping.cols)), dataFormat, inputShape, name) { }

    /// <summary>Explicit cropping: ((top, bottom), (left, right)).</summary>
    /// <param name="cropping">((top, bottom), (left, right)), each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping2D(((int top, int bottom) rows, (int left, int right) cols) cropping, string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        var rows = ReshapingArgs.Pair(cropping.rows.top, cropping.rows.bottom, "cropping (top, bottom)", Owner);
        var cols = ReshapingArgs.Pair(cropping.cols.left, cropping.cols.right, "cropping (left, right)", Owner);
        Cropping = (rows, cols);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        AcceptsIntegerInput = true;
    }

    /// <summary>Cropping as Keras writes it in configs: [[top, bottom], [left, right]] (an inner entry may be one int).</summary>
    /// <param name="cropping">Two entries of 1 or 2 non-negative ints.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Cropping2D(int[][] cropping, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(ReshapingArgs.Pairs2D(cropping, nameof(cropping), Owner), dataFormat, inputShape, name) { }

    /// <summary>((top, bottom), (left, right)).</summary>
    public ((int Top, int Bottom) Rows, (int Left, int Right) Cols) Cropping { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private string Layout => DataFormat == "channels_last" ? "(batch, rows, cols, channels)" : "(batch, channels, rows, cols)";

    private int RowAxis => DataFormat == "channels_last" ? 1 : 2;

    private void Check(int?[] shape)
    {
        ReshapingArgs.CheckRank(this, shape, 4, Layout);
        int h = RowAxis;
        if ((shape[h] is int rows && Cropping.Rows.Top + Cropping.Rows.Bottom >= rows)
            || (shape[h + 1] is int cols && Cropping.Cols.Left + Cropping.Cols.Right >= cols))
            throw new ArgumentException(
                $"Layer '{Name}' (Cropping2D): cropping (({Cropping.Rows.Top}, {Cropping.Rows.Bottom}), ({Cropping.Cols.Left}, {Cropping.Cols.Right})) " +
                $"must remove fewer rows and columns than the input has; got input shape {ShapeUtils.Format(shape)} ({DataFormat}).");
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => Check(inputShape);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => Check(ReshapingArgs.Nullable(inputs[0].shape));

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        int h = RowAxis;
        var ((t, b), (l, r)) = Cropping;
        return inputs.narrow(h, t, inputs.shape[h] - t - b).narrow(h + 1, l, inputs.shape[h + 1] - l - r);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        Check(inputShape);
        var o = (int?[])inputShape.Clone();
        int h = RowAxis;
        o[h] -= Cropping.Rows.Top + Cropping.Rows.Bottom;
        o[h + 1] -= Cropping.Cols.Left + Cropping.Cols.Right;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["cropping"] = new[] { new[] { Cropping.Rows.Top, Cropping.Rows.Bottom }, new[] { Cropping.Cols.Left, Cropping.Cols.Right } };
        c["data_format"] = DataFormat;
        return c;
    }
}
