using System.Text.RegularExpressions;

namespace Sharpkeras.Engine;

/// <summary>Automatic, unique layer names the way Keras makes them ("dense", "dense_1", …).</summary>
public static partial class NameScope
{
    private static readonly Dictionary<string, int> Counters = new();
    private static readonly object Gate = new();

    /// <summary>Keras's <c>to_snake_case</c>: "MaxPooling2D" → "max_pooling2d", "SimpleRNN" → "simple_rnn".</summary>
    /// <param name="name">A class name.</param>
    public static string ToSnakeCase(string name)
    {
        name = NonWord().Replace(name, "");
        name = CapWord().Replace(name, "$1_$2");
        name = LowerUpper().Replace(name, "$1_$2").ToLowerInvariant();
        return name;
    }

    /// <summary>Returns prefix for the first use, then prefix_1, prefix_2, …</summary>
    /// <param name="prefix">The name's stem, e.g. "dense".</param>
    public static string Unique(string prefix)
    {
        lock (Gate)
        {
            Counters.TryGetValue(prefix, out var n);
            Counters[prefix] = n + 1;
            return n == 0 ? prefix : $"{prefix}_{n}";
        }
    }

    /// <summary>Forgets every counter (Keras's <c>clear_session</c>).</summary>
    public static void Reset()
    {
        lock (Gate) Counters.Clear();
    }

    [GeneratedRegex(@"\W+")] private static partial Regex NonWord();
    [GeneratedRegex("(.)([A-Z][a-z]+)")] private static partial Regex CapWord();
    [GeneratedRegex("([a-z])([A-Z])")] private static partial Regex LowerUpper();
}
