using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>
/// Scales each slice of a weight to unit norm (Keras's <c>UnitNorm</c>): <c>w / (ε + ‖w‖)</c>, the norm taken over
/// <c>axis</c> of the Keras-layout weight.
/// </summary>
/// <param name="axis">The axes of the Keras-layout weight over which each norm is computed (default [0]).</param>
public sealed class UnitNorm(long[]? axis = null) : Constraint
{
    private readonly long[] _axis = NormAxes.Check(axis, nameof(axis));

    /// <inheritdoc />
    public override Tensor Call(Tensor w) => w / (NormAxes.Norms(w, _axis) + Keras.Config.Epsilon);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["axis"] = _axis };
}
