using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>
/// Limits the norm of each slice of a weight to <c>maxValue</c> (Keras's <c>MaxNorm</c>):
/// <c>w · clip(‖w‖, 0, maxValue) / (ε + ‖w‖)</c>, the norm taken over <c>axis</c> of the Keras-layout weight
/// (default 0: for a Dense kernel (inputDim, units), each unit's incoming weights).
/// </summary>
/// <param name="maxValue">The largest norm allowed for each slice (Keras's <c>max_value</c>, default 2).</param>
/// <param name="axis">The axes of the Keras-layout weight over which each norm is computed (default [0]; for a Conv2D
/// kernel (kh, kw, in, out) Keras's advice is [0, 1, 2]).</param>
public sealed class MaxNorm(double maxValue = 2.0, long[]? axis = null) : Constraint
{
    private readonly long[] _axis = NormAxes.Check(axis, nameof(axis));

    /// <summary>The largest norm allowed.</summary>
    public double MaxValue { get; } = maxValue >= 0 ? maxValue
        : throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "maxValue must be >= 0.");

    /// <inheritdoc />
    public override Tensor Call(Tensor w)
    {
        var norms = NormAxes.Norms(w, _axis);
        return w * (norms.clamp(0, MaxValue) / (norms + Keras.Config.Epsilon));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["max_value"] = MaxValue, ["axis"] = _axis };
}
