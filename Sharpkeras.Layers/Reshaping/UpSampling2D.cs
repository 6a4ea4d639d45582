using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Upsamples images by integer factors along rows and columns (Keras's <c>UpSampling2D</c>): "nearest" repeats
/// each row and column; "bilinear" interpolates with half-pixel centers (Keras's <c>ops.image.resize</c>, torch's
/// <c>align_corners=false</c>). Input (batch, rows, cols, channels), or (batch, channels, rows, cols) with
/// <c>dataFormat: "channels_first"</c>. Nearest keeps integer and bool inputs' type; bilinear needs floats.
/// </summary>
public sealed class UpSampling2D : Layer
{
    private const string Owner = "UpSampling2D";

    /// <summary>The interpolations this layer supports.</summary>
    public static readonly string[] Interpolations = ["nearest", "bilinear"];

    /// <summary>The same factor for rows and columns (Keras's default (2, 2)).</summary>
    /// <param name="size">Upsampling factor for rows and columns (&gt; 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="interpolation">"nearest" (default) or "bilinear".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling2D(int size = 2, string? dataFormat = null, string interpolation = "nearest", int?[]? inputShape = null, string? name = null)
        : this((size, size), dataFormat, interpolation, inputShape, name) { }

    /// <summary>Different factors for rows and columns.</summary>
    /// <param name="size">(row factor, column factor), each &gt; 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="interpolation">"nearest" (default) or "bilinear".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling2D((int rows, int cols) size, string? dataFormat = null, string interpolation = "nearest", int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        Size = ReshapingArgs.Pair(size.rows, size.cols, nameof(size), Owner, allowZero: false);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        ArgumentNullException.ThrowIfNull(interpolation);
        Interpolation = interpolation.ToLowerInvariant();
        if (!Interpolations.Contains(Interpolation))
            throw new ArgumentException(
                $"{Owner}: interpolation must be one of {string.Join(", ", Interpolations)}; got '{interpolation}'.", nameof(interpolation));
        AcceptsIntegerInput = Interpolation == "nearest";
    }

    /// <summary>Factors as Keras writes them in configs: one int or [rows, cols].</summary>
    /// <param name="size">1 or 2 positive values.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="interpolation">"nearest" (default) or "bilinear".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling2D(int[] size, string? dataFormat = null, string interpolation = "nearest", int?[]? inputShape = null, string? name = null)
        : this(ReshapingArgs.Pair(size, nameof(size), Owner, allowZero: false), dataFormat, interpolation, inputShape, name) { }

    /// <summary>(row factor, column factor).</summary>
    public (int Rows, int Cols) Size { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>"nearest" or "bilinear".</summary>
    public string Interpolation { get; }

    private string Layout => DataFormat == "channels_last" ? "(batch, rows, cols, channels)" : "(batch, channels, rows, cols)";

    private int RowAxis => DataFormat == "channels_last" ? 1 : 2;

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 4, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs)
    {
        ReshapingArgs.CheckRank(this, inputs[0].shape, 4, Layout);
        if (Interpolation != "nearest" && inputs[0].dtype == ScalarType.Bool)
            throw new ArgumentException($"Layer '{Name}' (UpSampling2D) with interpolation '{Interpolation}' needs numeric input; got a bool tensor.", nameof(inputs));
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        int h = RowAxis;
        if (Interpolation == "nearest")
            return inputs.repeat_interleave(Size.Rows, h).repeat_interleave(Size.Cols, h + 1);
        bool last = DataFormat == "channels_last";
        var x = last ? inputs.permute(0, 3, 1, 2) : inputs;
        var y = nn.functional.interpolate(x, size: [x.shape[2] * Size.Rows, x.shape[3] * Size.Cols],
            mode: InterpolationMode.Bilinear, align_corners: false);
        return last ? y.permute(0, 2, 3, 1) : y;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 4, Layout);
        var o = (int?[])inputShape.Clone();
        int h = RowAxis;
        o[h] *= Size.Rows;
        o[h + 1] *= Size.Cols;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) =>
        Interpolation == "nearest" ? ReshapingArgs.KeepType(this, inputType) : ComputeDType;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = new[] { Size.Rows, Size.Cols };
        c["data_format"] = DataFormat;
        c["interpolation"] = Interpolation;
        return c;
    }
}
