namespace Sharpkeras.Layers;

/// <summary>
/// A <c>factor</c> argument of the random augmentation layers, written as in Keras: one number <c>f</c>
/// (meaning the range [-f, f], or what the layer documents) or a pair <c>(lower, upper)</c>.
/// Converts implicitly from <c>double</c>, from a <c>(double, double)</c> tuple and from a two-element array,
/// so <c>new RandomRotation(0.2)</c> and <c>new RandomRotation((-0.2, 0.3))</c> both work.
/// </summary>
public readonly struct FactorRange : IEquatable<FactorRange>
{
    private FactorRange(double lower, double upper, bool isPair)
    {
        Lower = lower;
        Upper = upper;
        IsPair = isPair;
    }

    /// <summary>The first number (for a single number: that number).</summary>
    public double Lower { get; }

    /// <summary>The second number (for a single number: that number).</summary>
    public double Upper { get; }

    /// <summary>Whether it was given as a pair (lower, upper) rather than as one number.</summary>
    public bool IsPair { get; }

    /// <summary>A single number.</summary>
    /// <param name="value">The number <c>f</c>, kept as given (the layer decides what range it means).</param>
    public static FactorRange Of(double value) => new(value, value, false);

    /// <summary>A pair (lower, upper).</summary>
    /// <param name="lower">The lower end of the range.</param>
    /// <param name="upper">The upper end of the range.</param>
    public static FactorRange Of(double lower, double upper) => new(lower, upper, true);

    /// <summary>A single number.</summary>
    /// <param name="value">The number <c>f</c>.</param>
    public static implicit operator FactorRange(double value) => Of(value);

    /// <summary>A pair (lower, upper).</summary>
    /// <param name="pair">(lower, upper).</param>
    public static implicit operator FactorRange((double lower, double upper) pair) => Of(pair.lower, pair.upper);

    /// <summary>A one- or two-element array.</summary>
    /// <param name="values">One number, or two numbers (lower, upper).</param>
    /// <exception cref="System.ArgumentException">The array does not hold one or two numbers.</exception>
    public static implicit operator FactorRange(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Length switch
        {
            1 => Of(values[0]),
            2 => Of(values[0], values[1]),
            _ => throw new ArgumentException($"A factor must be one number or a list of two numbers; got {values.Length} numbers.", nameof(values)),
        };
    }

    /// <summary>The JSON-friendly form for configs: a number or a two-element array.</summary>
    public object ToConfig() => IsPair ? new[] { Lower, Upper } : Lower;

    /// <inheritdoc />
    public bool Equals(FactorRange other) => Lower.Equals(other.Lower) && Upper.Equals(other.Upper) && IsPair == other.IsPair;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FactorRange f && Equals(f);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Lower, Upper, IsPair);

    /// <summary>Equality.</summary>
    /// <param name="a">The first factor.</param>
    /// <param name="b">The second factor.</param>
    /// <returns>True when both have the same numbers and the same form (one number or a pair).</returns>
    public static bool operator ==(FactorRange a, FactorRange b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    /// <param name="a">The first factor.</param>
    /// <param name="b">The second factor.</param>
    public static bool operator !=(FactorRange a, FactorRange b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => IsPair ? FormattableString.Invariant($"({Lower}, {Upper})") : FormattableString.Invariant($"{Lower}");
}
