namespace Sharpkeras.Tests.Docs;

/// <summary>Members of every kind the documentation audit must handle (see <see cref="XmlDocCompletenessTests"/>).</summary>
public static class DocSamples
{
    /// <summary>A delegate: its parameters are documented on the type.</summary>
    public delegate void Handler(int code, string message);

    /// <summary>A generic type.</summary>
    public sealed class Box<T> where T : notnull
    {
        /// <summary>A constructor taking the type parameter.</summary>
        public Box(T value) => Value = value;

        /// <summary>The value.</summary>
        public T Value { get; }

        /// <summary>A generic method with by-reference parameters.</summary>
        public void Swap<TOther>(ref T a, out TOther b, in int c) => b = default!;

        /// <summary>An indexer.</summary>
        public int this[int index, string key] => index + key.Length;

        /// <summary>An operator.</summary>
        public static Box<T> operator +(Box<T> a, Box<T> b) => b.Value is null ? a : b;

        /// <summary>A conversion operator (its ID ends with the return type).</summary>
        public static implicit operator T[](Box<T> box) => [box.Value];

        /// <summary>A generic type nested in a generic type.</summary>
        public sealed class Inner<TValue>
        {
            /// <summary>Parameters of constructed generic, nullable, multi-dimensional and tuple types.</summary>
            public int Take(List<T>? items, int[,] grid, TValue[] values, Dictionary<T, (int a, TValue b)> map, int? maybe)
                => (items?.Count ?? 0) + grid.Length + values.Length + map.Count + (maybe ?? 0);
        }
    }

    /// <summary>A positional record struct: its equality members and Deconstruct are compiler-generated.</summary>
    public readonly record struct Pair(int Left, int Right);

    /// <summary>A positional record class.</summary>
    public sealed record Named(string Name);

    /// <summary>A base class.</summary>
    public abstract class Base
    {
        /// <summary>An abstract method.</summary>
        public abstract void Run(int steps);

        /// <summary>A protected virtual method (visible to subclasses outside the assembly, so checked).</summary>
        protected virtual void Hook(double rate) { }
    }

    /// <summary>Overrides documented with inheritdoc.</summary>
    public class Derived : Base
    {
        /// <inheritdoc />
        public override void Run(int steps) { }

        /// <inheritdoc />
        protected override void Hook(double rate) { }
    }

    /// <summary>A class with a primary constructor.</summary>
    public sealed class Primary(int x)
    {
        /// <summary>The value.</summary>
        public int X => x;
    }
}
