using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Adds zeros at the start and end of the steps axis of a (batch, steps, features) input (Keras's
/// <c>ZeroPadding1D</c>; (batch, features, steps) with <c>dataFormat: "channels_first"</c>).
/// Integer and bool inputs keep their type.
/// </summary>
public sealed class ZeroPadding1D : Layer
{
    /// <summary>The same number of zeros at both ends (Keras's default 1).</summary>
    /// <param name="padding">Zeros added before and after the steps (&gt;= 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding1D(int padding = 1, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this((padding, padding), dataFormat, inputShape, name) { }

    /// <summary>Different numbers of zeros at the start and the end: (leftPad, rightPad).</summary>
    /// <param name="padding">(zeros before, zeros after), each &gt;= 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding1D((int left, int right) padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        Padding = ReshapingArgs.Pair(padding.left, padding.right, nameof(padding), "ZeroPadding1D");
        DataFormat = ReshapingArgs.DataFormat(dataFormat, "ZeroPadding1D");
        AcceptsIntegerInput = true;
    }

    /// <summary>Padding as Keras writes it in configs: one int (both ends) or [left, right].</summary>
    /// <param name="padding">1 or 2 non-negative values.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding1D(int[] padding, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this(ReshapingArgs.Pair(padding, nameof(padding), "ZeroPadding1D"), dataFormat, inputShape, name) { }

    /// <summary>Zeros added (before, after) the steps.</summary>
    public (int Left, int Right) Padding { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private string Layout => DataFormat == "channels_last" ? "(batch, steps, features)" : "(batch, features, steps)";

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 3, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => ReshapingArgs.CheckRank(this, inputs[0].shape, 3, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return DataFormat == "channels_last"
            ? nn.functional.pad(inputs, [0, 0, Padding.Left, Padding.Right])
            : nn.functional.pad(inputs, [Padding.Left, Padding.Right]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 3, Layout);
        var r = (int?[])inputShape.Clone();
        int axis = DataFormat == "channels_last" ? 1 : 2;
        r[axis] += Padding.Left + Padding.Right;
        return r;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = new[] { Padding.Left, Padding.Right };
        c["data_format"] = DataFormat;
        return c;
    }
}
