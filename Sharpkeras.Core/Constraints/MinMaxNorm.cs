using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>
/// Keeps the norm of each slice of a weight between <c>minValue</c> and <c>maxValue</c> (Keras's <c>MinMaxNorm</c>):
/// <c>desired = rate · clip(‖w‖, minValue, maxValue) + (1 − rate) · ‖w‖</c>, <c>w · desired / (ε + ‖w‖)</c>, the norm
/// taken over <c>axis</c> of the Keras-layout weight.
/// </summary>
/// <param name="minValue">The smallest norm allowed (Keras's <c>min_value</c>, default 0).</param>
/// <param name="maxValue">The largest norm allowed (Keras's <c>max_value</c>, default 1).</param>
/// <param name="rate">How far to move toward the clipped norm per step: 1 (default) enforces it strictly, smaller values move gradually.</param>
/// <param name="axis">The axes of the Keras-layout weight over which each norm is computed (default [0]).</param>
public sealed class MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, long[]? axis = null) : Constraint
{
    private readonly long[] _axis = NormAxes.Check(axis, nameof(axis));

    /// <summary>The smallest norm allowed.</summary>
    public double MinValue { get; } = minValue >= 0 && minValue <= maxValue ? minValue
        : throw new ArgumentOutOfRangeException(nameof(minValue), minValue, $"minValue must be in [0, maxValue={maxValue}].");
    /// <summary>The largest norm allowed.</summary>
    public double MaxValue { get; } = maxValue;
    /// <summary>The rate of enforcement.</summary>
    public double Rate { get; } = rate >= 0 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "rate must be >= 0.");

    /// <inheritdoc />
    public override Tensor Call(Tensor w)
    {
        var norms = NormAxes.Norms(w, _axis);
        var desired = norms.clamp(MinValue, MaxValue) * Rate + norms * (1 - Rate);
        return w * (desired / (norms + Keras.Config.Epsilon));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["min_value"] = MinValue, ["max_value"] = MaxValue, ["rate"] = Rate, ["axis"] = _axis,
    };
}
