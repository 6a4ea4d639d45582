using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A layer's dtype policy (Keras's <c>keras.DTypePolicy</c>): the element type its weights are stored in
/// (<see cref="VariableDType"/>) and the element type it computes in (<see cref="ComputeDType"/>).
/// </summary>
/// <remarks>
/// <para>The name is either a dtype name (<c>"float32"</c>, <c>"float64"</c>, <c>"bfloat16"</c>, …: both types are that
/// type) or a mixed-precision name: <c>"mixed_bfloat16"</c> (compute bfloat16, variables float32) and
/// <c>"mixed_float16"</c> (compute float16, variables float32).</para>
/// <para>Under a mixed policy a layer casts its floating-point inputs to the compute type and reads its weights cast to
/// the compute type (the float32 variables themselves are what the optimizer updates); losses and metrics are computed
/// in float32. Set one for every layer created afterwards with <c>Keras.Config.SetDTypePolicy("mixed_bfloat16")</c>, or
/// per layer with the <c>dtype</c> argument (a string converts implicitly: <c>new Dense(10, dtype: "float32")</c>).
/// A model's outputs keep the compute type of its last layer, as in Keras; give the last layer
/// <c>dtype: "float32"</c> (e.g. <c>new Activation("softmax", dtype: "float32")</c>) to get float32 outputs and a
/// float32 softmax.</para>
/// </remarks>
public sealed class DTypePolicy : IEquatable<DTypePolicy>
{
    private static readonly (string Name, ScalarType Type)[] DTypes =
    [
        ("float16", ScalarType.Float16), ("bfloat16", ScalarType.BFloat16), ("float32", ScalarType.Float32),
        ("float64", ScalarType.Float64), ("int8", ScalarType.Int8), ("int16", ScalarType.Int16), ("int32", ScalarType.Int32),
        ("int64", ScalarType.Int64), ("uint8", ScalarType.Byte), ("bool", ScalarType.Bool),
    ];

    /// <summary>Every name the constructor accepts: the two mixed-precision policies, then the dtype names.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = ["mixed_float16", "mixed_bfloat16", .. DTypes.Select(d => d.Name)];

    /// <summary>Creates a policy from its name.</summary>
    /// <param name="name">"mixed_bfloat16", "mixed_float16", or a dtype name such as "float32"; null: the global
    /// policy's name (<c>Keras.Config.DTypePolicy()</c>).</param>
    /// <exception cref="ArgumentException">The name is none of <see cref="ValidNames"/>.</exception>
    public DTypePolicy(string? name = null)
    {
        name ??= Keras.Config.DTypePolicy().Name;
        (ComputeDType, VariableDType) = Parse(name);
        Name = name;
    }

    /// <summary>Creates the policy whose compute and variable types are both <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <exception cref="ArgumentException">The type has no Keras name (e.g. a complex type).</exception>
    public DTypePolicy(ScalarType dtype) : this(NameOf(dtype)) { }

    /// <summary>The policy's name ("mixed_bfloat16", "float32", …).</summary>
    public string Name { get; }

    /// <summary>The element type layers compute in (their inputs and outputs).</summary>
    public ScalarType ComputeDType { get; }

    /// <summary>The element type layers create their weights in.</summary>
    public ScalarType VariableDType { get; }

    /// <summary>Whether the compute type differs from the variable type (a mixed-precision policy).</summary>
    public bool IsMixed => ComputeDType != VariableDType;

    /// <summary>The policy named <paramref name="name"/> (what a layer's <c>dtype: "float32"</c> argument does).</summary>
    /// <param name="name">A policy name; see <see cref="ValidNames"/>.</param>
    public static implicit operator DTypePolicy(string name) => new(name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>The policy whose compute and variable types are both <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The element type.</param>
    public static implicit operator DTypePolicy(ScalarType dtype) => new(dtype);

    /// <summary>Keras's config of a policy: <c>{"name": …}</c>.</summary>
    public Dictionary<string, object?> GetConfig() => new() { ["name"] = Name };

    /// <summary>Keras's name of an element type ("float32", "int64", …), or null when Keras has none.</summary>
    /// <param name="dtype">The element type.</param>
    internal static string? KerasName(ScalarType dtype)
    {
        foreach (var (n, t) in DTypes) if (t == dtype) return n;
        return null;
    }

    private static string NameOf(ScalarType dtype) => KerasName(dtype)
        ?? throw new ArgumentException($"A dtype policy needs a type with a Keras name ({string.Join(", ", DTypes.Select(d => d.Name))}); got {dtype}.", nameof(dtype));

    private static (ScalarType compute, ScalarType variable) Parse(string name)
    {
        switch (name)
        {
            case "mixed_float16": return (ScalarType.Float16, ScalarType.Float32);
            case "mixed_bfloat16": return (ScalarType.BFloat16, ScalarType.Float32);
        }
        foreach (var (n, t) in DTypes)
            if (n == name) return (t, t);
        throw new ArgumentException(
            $"Cannot convert '{name}' to a dtype policy. Valid policies: {string.Join(", ", ValidNames.Select(v => $"'{v}'"))}.", nameof(name));
    }

    /// <inheritdoc />
    public bool Equals(DTypePolicy? other) => other is not null && other.Name == Name;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DTypePolicy);

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>Keras's representation: <c>&lt;DTypePolicy "mixed_bfloat16"&gt;</c>.</summary>
    public override string ToString() => $"<DTypePolicy \"{Name}\">";
}
