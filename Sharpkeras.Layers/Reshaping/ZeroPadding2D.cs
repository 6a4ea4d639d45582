using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Adds rows and columns of zeros at the top, bottom, left and right of images (Keras's <c>ZeroPadding2D</c>):
/// (batch, rows, cols, channels), or (batch, channels, rows, cols) with <c>dataFormat: "channels_first"</c>.
/// Integer and bool inputs keep their type.
/// </summary>
public sealed class ZeroPadding2D : Layer
{
    private const string Owner = "ZeroPadding2D";

    /// <summary>The same padding on all four sides (Keras's default 1).</summary>
    /// <param name="padding">Rows/columns of zeros on each side (&gt;= 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D(int padding = 1, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(((padding, padding), (padding, padding)), dataFormat, inputShape, name) { }

    /// <summary>Symmetric padding: (rows on top and bottom, columns on left and right).</summary>
    /// <param name="padding">(symmetric height padding, symmetric width padding), each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D((int rows, int cols) padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(((padding.rows, padding.rows), (padding.cols, padding.cols)), dataFormat, inputShape, name) { }

    /// <summary>Explicit padding: ((top, bottom), (left, right)).</summary>
    /// <param name="padding">((top, bottom), (left, right)), each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D(((int top, int bottom) rows, (int left, int right) cols) padding, string? dataFormat = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        var rows = ReshapingArgs.Pair(padding.rows.top, padding.rows.bottom, "padding (top, bottom)", Owner);
        var cols = ReshapingArgs.Pair(padding.cols.left, padding.cols.right, "padding (left, right)", Owner);
        Padding = (rows, cols);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        AcceptsIntegerInput = true;
    }

    /// <summary>Padding as Keras writes it in configs: [[top, bottom], [left, right]] (an inner entry may be one int).</summary>
    /// <param name="padding">Two entries of 1 or 2 non-negative ints.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D(int[][] padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(ReshapingArgs.Pairs2D(padding, nameof(padding), Owner), dataFormat, inputShape, name) { }

    /// <summary>Padding as a flat array: one int (all sides), or [rows, cols] (symmetric per axis).</summary>
    /// <param name="padding">1 or 2 non-negative values.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D(int[] padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(FromFlat(padding), dataFormat, inputShape, name) { }

    private static ((int, int), (int, int)) FromFlat(int[] padding)
    {
        ArgumentNullException.ThrowIfNull(padding);
        return padding.Length switch
        {
            1 => ((padding[0], padding[0]), (padding[0], padding[0])),
            2 => ((padding[0], padding[0]), (padding[1], padding[1])),
            _ => throw new ArgumentException(
                $"{Owner}: padding must be an int, (rows, cols) or ((top, bottom), (left, right)); got a flat array of {padding.Length} values ({string.Join(", ", padding)}).",
                nameof(padding)),
        };
    }

    /// <summary>((top, bottom), (left, right)).</summary>
    public ((int Top, int Bottom) Rows, (int Left, int Right) Cols) Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private string Layout => DataFormat == "channels_last" ? "(batch, rows, cols, channels)" : "(batch, channels, rows, cols)";

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 4, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => ReshapingArgs.CheckRank(this, inputs[0].shape, 4, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        var ((t, b), (l, r)) = Padding;
        // torch's pad lists (before, after) pairs from the last axis backwards.
        return DataFormat == "channels_last"
            ? nn.functional.pad(inputs, [0, 0, l, r, t, b])
            : nn.functional.pad(inputs, [l, r, t, b]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 4, Layout);
        var o = (int?[])inputShape.Clone();
        int h = DataFormat == "channels_last" ? 1 : 2;
        o[h] += Padding.Rows.Top + Padding.Rows.Bottom;
        o[h + 1] += Padding.Cols.Left + Padding.Cols.Right;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = new[] { new[] { Padding.Rows.Top, Padding.Rows.Bottom }, new[] { Padding.Cols.Left, Padding.Cols.Right } };
        c["data_format"] = DataFormat;
        return c;
    }
}
