using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>
/// A projection applied to a weight after every optimizer step (Keras's <c>keras.constraints</c>).
/// </summary>
public abstract class Constraint
{
    /// <summary>Returns the projected weight. The optimizer passes the weight in Keras's layout (a Dense kernel as
    /// (inputDim, units), a Conv2D kernel as (kh, kw, in, out)), so axes mean what they mean in Keras.</summary>
    /// <param name="w">The weight after an optimizer step, in Keras's layout.</param>
    /// <returns>The projected weight, same shape; the layer copies it into the variable.</returns>
    public abstract Tensor Call(Tensor w);

    /// <summary>The arguments that rebuild this constraint (Keras's <c>get_config</c>).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new();

    /// <summary>Resolves "non_neg", "unit_norm", "max_norm", "min_max_norm", a Constraint, or null.</summary>
    /// <param name="identifier">A constraint object (returned as is), one of the aliases <c>"non_neg"</c>, <c>"max_norm"</c>, <c>"min_max_norm"</c>, <c>"unit_norm"</c> (Keras's defaults), or null.</param>
    /// <returns>The constraint, or null for a null identifier.</returns>
    /// <exception cref="System.ArgumentException">An unknown alias or an object that is not a <see cref="Constraint"/>.</exception>
    public static Constraint? Get(object? identifier) => identifier switch
    {
        null => null,
        Constraint c => c,
        "non_neg" => new NonNeg(),
        "max_norm" => new MaxNorm(),
        "min_max_norm" => new MinMaxNorm(),
        "unit_norm" => new UnitNorm(),
        string s => throw new ArgumentException($"Unknown constraint '{s}'. Valid: max_norm, min_max_norm, non_neg, unit_norm.", nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret constraint '{identifier}'.", nameof(identifier)),
    };
}
