using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Upsamples volumes by repeating entries along the three spatial axes (Keras's <c>UpSampling3D</c>, nearest neighbour):
/// (batch, dim1, dim2, dim3, channels), or (batch, channels, dim1, dim2, dim3) with <c>dataFormat: "channels_first"</c>.
/// Integer and bool inputs keep their type.
/// </summary>
public sealed class UpSampling3D : Layer
{
    private const string Owner = "UpSampling3D";

    /// <summary>The same factor for every spatial axis (Keras's default (2, 2, 2)).</summary>
    /// <param name="size">Upsampling factor (&gt; 0).</param>
    /// <param name="dataFormat">"channels_last" (default, from <see cref="Keras.Config.ImageDataFormat"/>) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling3D(int size = 2, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([size, size, size], dataFormat, inputShape, name) { }

    /// <summary>One factor per spatial axis.</summary>
    /// <param name="size">(dim1, dim2, dim3) factors, each &gt; 0.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling3D((int dim1, int dim2, int dim3) size, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : this([size.dim1, size.dim2, size.dim3], dataFormat, inputShape, name) { }

    /// <summary>Factors as Keras writes them in configs: one int or [dim1, dim2, dim3].</summary>
    /// <param name="size">1 or 3 positive values.</param>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UpSampling3D(int[] size, string? dataFormat = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(size);
        int[] s = size.Length switch
        {
            1 => [size[0], size[0], size[0]],
            3 => size.ToArray(),
            _ => throw new ArgumentException($"{Owner}: size must be an int or 3 ints; got {size.Length} values ({string.Join(", ", size)}).", nameof(size)),
        };
        if (s.Any(v => v < 1))
            throw new ArgumentOutOfRangeException(nameof(size), $"({string.Join(", ", s)})", $"{Owner}: every value of 'size' must be >= 1; got ({string.Join(", ", s)}).");
        Size = (s[0], s[1], s[2]);
        DataFormat = ReshapingArgs.DataFormat(dataFormat, Owner);
        AcceptsIntegerInput = true;
    }

    /// <summary>(dim1, dim2, dim3) factors.</summary>
    public (int Dim1, int Dim2, int Dim3) Size { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    private string Layout => Reshaping3D.Layout(DataFormat);

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, 5, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ReshapingArgs.CheckRank(this, inputs.shape, 5, Layout);
        int a = Reshaping3D.FirstSpatialAxis(DataFormat);
        return inputs.repeat_interleave(Size.Dim1, a).repeat_interleave(Size.Dim2, a + 1).repeat_interleave(Size.Dim3, a + 2);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, 5, Layout);
        var o = (int?[])inputShape.Clone();
        int a = Reshaping3D.FirstSpatialAxis(DataFormat);
        o[a] *= Size.Dim1;
        o[a + 1] *= Size.Dim2;
        o[a + 2] *= Size.Dim3;
        return o;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ReshapingArgs.KeepType(this, inputType);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = new[] { Size.Dim1, Size.Dim2, Size.Dim3 };
        c["data_format"] = DataFormat;
        return c;
    }
}
