using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Keras's <c>ZeroPadding2D</c>: adds rows and columns of zeros at the top/bottom and left/right of images.</summary>
public sealed class ZeroPadding2D : Layer
{
    /// <summary>The same padding on all four sides.</summary>
    public ZeroPadding2D(int padding = 1, string? dataFormat = null, string? name = null)
        : this(((padding, padding), (padding, padding)), dataFormat, name) { }

    /// <summary>Symmetric padding: (rows on top and bottom, columns on left and right).</summary>
    public ZeroPadding2D((int rows, int cols) padding, string? dataFormat = null, string? name = null)
        : this(((padding.rows, padding.rows), (padding.cols, padding.cols)), dataFormat, name) { }

    /// <summary>Explicit padding: ((top, bottom), (left, right)).</summary>
    public ZeroPadding2D(((int top, int bottom), (int left, int right)) padding, string? dataFormat = null, string? name = null) : base(name)
    {
        var (tb, lr) = padding;
        if (tb.top < 0 || tb.bottom < 0 || lr.left < 0 || lr.right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), "ZeroPadding2D: padding must be >= 0.");
        Top = tb.top; Bottom = tb.bottom; Left = lr.left; Right = lr.right;
        DataFormat = ConvUtils.DataFormat(dataFormat, nameof(ZeroPadding2D));
    }

    /// <summary>Creates the layer from a config's [[top, bottom], [left, right]] (or [rows, cols]).</summary>
    public ZeroPadding2D(int[] padding, string? dataFormat = null, string? name = null)
        : this(padding.Length == 4 ? ((padding[0], padding[1]), (padding[2], padding[3]))
              : padding.Length == 2 ? ((padding[0], padding[0]), (padding[1], padding[1]))
              : padding.Length == 1 ? ((padding[0], padding[0]), (padding[0], padding[0]))
              : throw new ArgumentException($"ZeroPadding2D: padding needs 1, 2 or 4 values; got {padding.Length}.", nameof(padding)),
              dataFormat, name) { }

    /// <summary>Rows added on top.</summary>
    public int Top { get; }
    /// <summary>Rows added at the bottom.</summary>
    public int Bottom { get; }
    /// <summary>Columns added on the left.</summary>
    public int Left { get; }
    /// <summary>Columns added on the right.</summary>
    public int Right { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => CheckRank(inputShape);

    private void CheckRank(int?[] inputShape)
    {
        if (inputShape.Length != 4)
            throw new ArgumentException($"Input of layer '{Name}' (ZeroPadding2D) must have rank 4 (batch, rows, cols, channels); got shape {ShapeUtils.Format(inputShape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (DataFormat == "channels_last")
            return nn.functional.pad(inputs, [0, 0, Left, Right, Top, Bottom]);
        return nn.functional.pad(inputs, [Left, Right, Top, Bottom]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        CheckRank(inputShape);
        var r = (int?[])inputShape.Clone();
        int h = DataFormat == "channels_last" ? 1 : 2;
        r[h] = r[h] + Top + Bottom;
        r[h + 1] = r[h + 1] + Left + Right;
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = new[] { Top, Bottom, Left, Right };
        c["data_format"] = DataFormat;
        return c;
    }
}
