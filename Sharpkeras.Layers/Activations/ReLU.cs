using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The rectified linear unit with Keras's options (Keras's <c>ReLU</c> layer):
/// <c>f(x) = maxValue</c> if <c>x ≥ maxValue</c>; <c>x</c> if <c>threshold &lt; x &lt; maxValue</c>
/// (0 when <c>x = threshold</c>); <c>negativeSlope · (x − threshold)</c> if <c>x &lt; threshold</c>.
/// The defaults give <c>max(x, 0)</c>.
/// </summary>
public sealed class ReLU : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maxValue">Upper bound of the output (≥ 0), or null for none.</param>
    /// <param name="negativeSlope">Slope below the threshold (≥ 0, default 0).</param>
    /// <param name="threshold">Values at or below it are no longer passed through (≥ 0, default 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ReLU(double? maxValue = null, double negativeSlope = 0.0, double threshold = 0.0, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (maxValue is double m && !(m >= 0 && !double.IsNaN(m)))
            throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, $"ReLU: maxValue must be >= 0 or null; got {maxValue}.");
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, $"ReLU: negativeSlope must be a finite value >= 0; got {negativeSlope}.");
        if (!(threshold >= 0) || double.IsInfinity(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"ReLU: threshold must be a finite value >= 0; got {threshold}.");
        MaxValue = maxValue;
        NegativeSlope = negativeSlope;
        Threshold = threshold;
        SupportsMasking = true;
    }

    /// <summary>Upper bound of the output, or null.</summary>
    public double? MaxValue { get; }

    /// <summary>Slope below the threshold.</summary>
    public double NegativeSlope { get; }

    /// <summary>The threshold.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (NegativeSlope != 0 && MaxValue is null && Threshold == 0) return nn.functional.leaky_relu(inputs, NegativeSlope);
        var y = Threshold != 0 ? torch.where(inputs.gt(Threshold), inputs, torch.zeros_like(inputs)) : nn.functional.relu(inputs);
        if (MaxValue is double m) y = y.clamp_max(m);
        if (NegativeSlope != 0) y = y - NegativeSlope * nn.functional.relu(Threshold - inputs);
        return y;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_value"] = MaxValue;
        c["negative_slope"] = NegativeSlope;
        c["threshold"] = Threshold;
        return c;
    }
}
