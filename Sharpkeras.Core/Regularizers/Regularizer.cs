using Sharpkeras.Registry;
using static TorchSharp.torch;

namespace Sharpkeras.Regularizers;

/// <summary>
/// Base class of weight regularizers: a penalty computed from a weight and added to the loss
/// (Keras's <c>keras.regularizers.Regularizer</c>).
/// </summary>
public abstract class Regularizer
{
    /// <summary>The penalty for <paramref name="x"/> (a scalar tensor on x's device).</summary>
    /// <param name="x">The weight (in any layout: the penalty sums over every element) or, for an activity regularizer, the layer's output.</param>
    /// <returns>The penalty, a scalar tensor added to the loss.</returns>
    public abstract Tensor Call(Tensor x);

    /// <summary>The arguments that rebuild this regularizer.</summary>
    public abstract Dictionary<string, object?> GetConfig();

    /// <summary>The registry behind <see cref="Get"/>.</summary>
    public static AliasRegistry<Regularizer> Registry { get; } = new AliasRegistry<Regularizer>("regularizer")
        .Register(() => new L1(), "l1", "L1")
        .Register(() => new L2(), "l2", "L2")
        .Register(() => new L1L2(), "l1_l2", "L1L2");

    /// <summary>The Keras aliases <see cref="Get"/> accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    /// <summary>
    /// Resolves a Keras alias ("l1", "l2", "l1_l2"), a <see cref="Regularizer"/>, or null.
    /// </summary>
    /// <param name="identifier">A <see cref="Regularizer"/>, an alias, or null.</param>
    public static Regularizer? Get(object? identifier) => identifier switch
    {
        null => null,
        Regularizer r => r,
        string s => Registry.Get(s, nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret regularizer '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };
}

/// <summary>L1 penalty: <c>l1 * sum(|x|)</c> (default 0.01).</summary>
/// <param name="l1">The L1 factor (Keras's default 0.01).</param>
public sealed class L1(double l1 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = Validate(l1, nameof(l1));

    internal static double Validate(double v, string name) =>
        v >= 0 && double.IsFinite(v) ? v : throw new ArgumentOutOfRangeException(name, v, $"Regularization factor '{name}' must be finite and >= 0.");

    /// <inheritdoc />
    public override Tensor Call(Tensor x) => x.abs().sum().mul(Factor);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["l1"] = Factor };
}

/// <summary>L2 penalty: <c>l2 * sum(x²)</c> (default 0.01).</summary>
/// <param name="l2">The L2 factor (Keras's default 0.01).</param>
public sealed class L2(double l2 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = L1.Validate(l2, nameof(l2));

    /// <inheritdoc />
    public override Tensor Call(Tensor x) => x.square().sum().mul(Factor);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["l2"] = Factor };
}

/// <summary>Elastic net: <c>l1 * sum(|x|) + l2 * sum(x²)</c> (Keras's defaults 0 and 0).</summary>
/// <param name="l1">The L1 factor (default 0).</param>
/// <param name="l2">The L2 factor (default 0).</param>
public sealed class L1L2(double l1 = 0.0, double l2 = 0.0) : Regularizer
{
    /// <summary>The L1 factor.</summary>
    public double L1Factor { get; } = L1.Validate(l1, nameof(l1));

    /// <summary>The L2 factor.</summary>
    public double L2Factor { get; } = L1.Validate(l2, nameof(l2));

    /// <inheritdoc />
    public override Tensor Call(Tensor x)
    {
        var r = torch.zeros(Array.Empty<long>(), dtype: x.dtype, device: x.device);
        if (L1Factor != 0) r = r + x.abs().sum().mul(L1Factor);
        if (L2Factor != 0) r = r + x.square().sum().mul(L2Factor);
        return r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new() { ["l1"] = L1Factor, ["l2"] = L2Factor };
}
