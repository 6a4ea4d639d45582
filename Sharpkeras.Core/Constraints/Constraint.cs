using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>
/// A projection applied to a weight after every optimizer step (Keras's <c>keras.constraints</c>).
/// </summary>
public abstract class Constraint
{
    /// <summary>Returns the projected weight (given and returned in torch layout; pass axes accordingly).</summary>
    /// <param name="w">The weight after an optimizer step, in torch layout (e.g. a Dense kernel as (units, inputDim)).</param>
    /// <returns>The projected weight, same shape; the layer copies it into the variable.</returns>
    public abstract Tensor Call(Tensor w);

    /// <summary>The arguments that rebuild this constraint (Keras's <c>get_config</c>).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new();

    /// <summary>Resolves "non_neg", "unit_norm", "max_norm", a Constraint, or null.</summary>
    /// <param name="identifier">A constraint object (returned as is), one of the aliases <c>"non_neg"</c>, <c>"max_norm"</c>, <c>"unit_norm"</c> (Keras's defaults), or null.</param>
    /// <returns>The constraint, or null for a null identifier.</returns>
    /// <exception cref="System.ArgumentException">An unknown alias or an object that is not a <see cref="Constraint"/>.</exception>
    public static Constraint? Get(object? identifier) => identifier switch
    {
        null => null,
        Constraint c => c,
        "non_neg" => new NonNeg(),
        "max_norm" => new MaxNorm(),
        "unit_norm" => new UnitNorm(),
        string s => throw new ArgumentException($"Unknown constraint '{s}'. Valid: non_neg, max_norm, unit_norm.", nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret constraint '{identifier}'.", nameof(identifier)),
    };
}

/// <summary>Clamps weights to be non-negative.</summary>
public sealed class NonNeg : Constraint
{
    /// <inheritdoc />
    public override Tensor Call(Tensor w) => w.clamp_min(0);
}

/// <summary>Limits the norm of each column (over all axes but the last in Keras layout) to <c>maxValue</c>.</summary>
/// <param name="maxValue">The largest norm allowed for each slice (Keras's <c>max_value</c>, default 2).</param>
/// <param name="axis">The axes, of the weight as stored (torch layout), over which each norm is computed (default [0]).</param>
public sealed class MaxNorm(double maxValue = 2.0, long[]? axis = null) : Constraint
{
    private readonly long[] _axis = axis ?? [0];

    /// <inheritdoc />
    public override Tensor Call(Tensor w)
    {
        var norms = w.square().sum(_axis, keepdim: true).sqrt();
        var desired = norms.clamp(0, maxValue);
        return w * (desired / (norms + Keras.Config.Epsilon));
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["max_value"] = maxValue, ["axis"] = _axis };
}

/// <summary>Scales weights so each column has unit norm.</summary>
/// <param name="axis">The axes, of the weight as stored (torch layout), over which each norm is computed (default [0]).</param>
public sealed class UnitNorm(long[]? axis = null) : Constraint
{
    private readonly long[] _axis = axis ?? [0];

    /// <inheritdoc />
    public override Tensor Call(Tensor w) => w / (w.square().sum(_axis, keepdim: true).sqrt() + Keras.Config.Epsilon);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["axis"] = _axis };
}
