using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Buckets continuous values by <c>binBoundaries</c> (Keras's <c>Discretization</c> with explicit boundaries): value x goes to
/// bucket i where boundaries[i−1] ≤ x &lt; boundaries[i] (numpy's <c>digitize</c>), giving integers in [0, boundaries.Length].
/// Output modes "int" (default), "one_hot", "multi_hot" and "count" encode those bucket ids as <see cref="CategoryEncoding"/> does.
/// Learning the boundaries with <c>adapt</c> is not supported: give them.
/// </summary>
public sealed class Discretization : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="binBoundaries">Sorted bucket boundaries (at least one).</param>
    /// <param name="outputMode">"int" (default), "one_hot", "multi_hot" or "count".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Discretization(double[] binBoundaries, string outputMode = "int", int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(binBoundaries);
        if (binBoundaries.Length == 0) throw new ArgumentException("Discretization: binBoundaries must hold at least one value.", nameof(binBoundaries));
        for (int i = 0; i < binBoundaries.Length; i++)
        {
            if (!double.IsFinite(binBoundaries[i])) throw new ArgumentException($"Discretization: binBoundaries[{i}] is {binBoundaries[i]}; expected a finite number.", nameof(binBoundaries));
            if (i > 0 && binBoundaries[i] < binBoundaries[i - 1])
                throw new ArgumentException($"Discretization: binBoundaries must be sorted; {binBoundaries[i]} follows {binBoundaries[i - 1]}.", nameof(binBoundaries));
        }
        if (outputMode is not ("int" or "one_hot" or "multi_hot" or "count"))
            throw new ArgumentException($"Discretization: outputMode must be one of \"int\", \"one_hot\", \"multi_hot\", \"count\"; got '{outputMode}'.", nameof(outputMode));
        BinBoundaries = binBoundaries.ToArray();
        OutputMode = outputMode;
        AcceptsIntegerInput = true;
    }

    /// <summary>The bucket boundaries.</summary>
    public double[] BinBoundaries { get; }

    /// <summary>The output mode.</summary>
    public string OutputMode { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var x = inputs.dtype == ScalarType.Float64 ? inputs : inputs.to(ScalarType.Float32);
        var b = torch.tensor(BinBoundaries, dtype: x.dtype, device: x.device);
        var ids = torch.bucketize(x, b, right: true);
        return OutputMode == "int" ? ids : CategoryEncoding.EncodeIds(ids, BinBoundaries.Length + 1, OutputMode, null);
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => OutputMode == "int" ? ScalarType.Int64 : ScalarType.Float32;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => OutputMode == "int" ? inputShape : CategoryEncoding.EncodedShape(inputShape, BinBoundaries.Length + 1, OutputMode);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["bin_boundaries"] = BinBoundaries;
        c["output_mode"] = OutputMode;
        return c;
    }
}
