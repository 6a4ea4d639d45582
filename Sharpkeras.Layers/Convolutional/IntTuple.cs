using System.Collections;
using System.Runtime.CompilerServices;

namespace Sharpkeras.Layers;

/// <summary>
/// An "int or tuple of ints" argument, as Keras takes for <c>kernel_size</c>, <c>strides</c>,
/// <c>dilation_rate</c>, <c>pool_size</c>: a single integer applies to every spatial dimension,
/// several give one value per dimension. Converts implicitly from <c>int</c>, <c>int[]</c>,
/// <c>(int, int)</c>, <c>(int, int, int)</c> and collection expressions, so
/// <c>kernelSize: 3</c>, <c>kernelSize: (3, 3)</c> and <c>kernelSize: [3, 3]</c> all work.
/// </summary>
[CollectionBuilder(typeof(IntTuple), nameof(Create))]
public readonly struct IntTuple : IReadOnlyList<int>, IEquatable<IntTuple>
{
    private readonly int[]? _values;

    /// <summary>Creates a tuple from explicit values (one per dimension).</summary>
    /// <param name="values">One value per dimension (at least one).</param>
    /// <exception cref="System.ArgumentException">No value is given.</exception>
    public IntTuple(params int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException("An IntTuple needs at least one value.", nameof(values));
        _values = (int[])values.Clone();
        IsScalar = false;
    }

    private IntTuple(int value)
    {
        _values = [value];
        IsScalar = true;
    }

    /// <summary>Builds a tuple from a collection expression (<c>[3, 3]</c>).</summary>
    /// <param name="values">One value per dimension.</param>
    public static IntTuple Create(ReadOnlySpan<int> values) => new(values.ToArray());

    /// <summary>Whether the tuple was given as a single integer (it then applies to every dimension).</summary>
    public bool IsScalar { get; }

    /// <summary>The number of values given (1 for a single integer).</summary>
    public int Count => _values?.Length ?? 0;

    /// <summary>The value at <paramref name="index"/>.</summary>
    /// <param name="index">0-based position, less than <see cref="Count"/>.</param>
    public int this[int index] => (_values ?? [])[index];

    /// <summary>A single integer, for every dimension.</summary>
    /// <param name="value">The size for every dimension.</param>
    public static implicit operator IntTuple(int value) => new(value);

    /// <summary>One value per dimension.</summary>
    /// <param name="values">One value per dimension.</param>
    public static implicit operator IntTuple(int[] values) => new(values);

    /// <summary>Two values (height, width).</summary>
    /// <param name="values">(height, width).</param>
    public static implicit operator IntTuple((int, int) values) => new(values.Item1, values.Item2);

    /// <summary>Three values (depth, height, width).</summary>
    /// <param name="values">(depth, height, width).</param>
    public static implicit operator IntTuple((int, int, int) values) => new(values.Item1, values.Item2, values.Item3);

    /// <summary>
    /// The values for <paramref name="rank"/> dimensions (a single integer repeated), checked to be
    /// within [<paramref name="min"/>, ∞).
    /// </summary>
    /// <param name="rank">The number of spatial dimensions.</param>
    /// <param name="argument">The argument's name for error messages ("kernelSize").</param>
    /// <param name="owner">The layer's description for error messages ("Conv2D 'conv2d'").</param>
    /// <param name="min">The smallest allowed value.</param>
    public int[] Expand(int rank, string argument, string owner, int min = 1)
    {
        if (_values is null || _values.Length == 0)
            throw new ArgumentException($"{owner}: argument '{argument}' must be an int or a tuple of {rank} ints; got an empty value.", argument);
        int[] r;
        if (IsScalar) r = Enumerable.Repeat(_values[0], rank).ToArray();
        else if (_values.Length == rank) r = (int[])_values.Clone();
        else
            throw new ArgumentException(
                $"{owner}: argument '{argument}' must be an int or a tuple of {rank} ints; got {this} ({_values.Length} values).", argument);
        if (r.Any(v => v < min))
            throw new ArgumentOutOfRangeException(argument, this.ToString(),
                $"{owner}: every value of argument '{argument}' must be >= {min}; got {this}.");
        return r;
    }

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_values ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(IntTuple other) => IsScalar == other.IsScalar && (_values ?? []).SequenceEqual(other._values ?? []);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is IntTuple t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(IsScalar);
        foreach (var v in _values ?? []) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>Equality.</summary>
    /// <param name="a">The first tuple.</param>
    /// <param name="b">The second tuple.</param>
    /// <returns>True when both hold the same values in the same form (a single integer or a list).</returns>
    public static bool operator ==(IntTuple a, IntTuple b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    /// <param name="a">The first tuple.</param>
    /// <param name="b">The second tuple.</param>
    public static bool operator !=(IntTuple a, IntTuple b) => !a.Equals(b);

    /// <summary>"3" for a single integer, "(3, 3)" for a tuple.</summary>
    public override string ToString() =>
        _values is null ? "()" : IsScalar ? _values[0].ToString() : "(" + string.Join(", ", _values) + (_values.Length == 1 ? ",)" : ")");
}
