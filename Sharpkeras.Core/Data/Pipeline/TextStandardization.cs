using System.Text;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// Keras's text standardization and splitting (<c>TextVectorization</c>): ASCII lower-casing like
/// <c>tf.strings.lower</c>, removal of the 32 ASCII punctuation characters of Python's
/// <c>string.punctuation</c> (Keras's <c>DEFAULT_STRIP_REGEX</c>), and splitting on runs of ASCII whitespace
/// like <c>tf.strings.split</c>.
/// </summary>
public static class TextStandardization
{
    /// <summary>The 32 ASCII punctuation characters (Python's <c>string.punctuation</c>).</summary>
    public const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private static readonly bool[] IsPunct = BuildPunct();

    private static bool[] BuildPunct()
    {
        var t = new bool[128];
        foreach (var c in Punctuation) t[c] = true;
        return t;
    }

    /// <summary>Lower-cases ASCII letters only (as TensorFlow's <c>lower</c> on bytes does).</summary>
    /// <param name="s">The text.</param>
    public static string LowerAscii(string s)
    {
        int i = 0;
        while (i < s.Length && !(s[i] >= 'A' && s[i] <= 'Z')) i++;
        if (i == s.Length) return s;
        return string.Create(s.Length, s, (span, src) =>
        {
            for (int j = 0; j < src.Length; j++)
            {
                char c = src[j];
                span[j] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
            }
        });
    }

    /// <summary>Removes the ASCII punctuation characters.</summary>
    /// <param name="s">The text.</param>
    public static string StripPunctuation(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (c >= 128 || !IsPunct[c]) sb.Append(c);
        return sb.Length == s.Length ? s : sb.ToString();
    }

    /// <summary>Whether <paramref name="c"/> is one of the 32 ASCII punctuation characters.</summary>
    /// <param name="c">A character.</param>
    public static bool IsPunctuation(char c) => c < 128 && IsPunct[c];

    /// <summary>Whether <paramref name="c"/> is ASCII whitespace.</summary>
    /// <param name="c">A character.</param>
    public static bool IsAsciiWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

    /// <summary>Splits on runs of ASCII whitespace, dropping empty pieces.</summary>
    /// <param name="s">The text.</param>
    public static List<string> SplitWhitespace(string s)
    {
        var tokens = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsAsciiWhitespace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsAsciiWhitespace(s[i])) i++;
            if (i > start) tokens.Add(s[start..i]);
        }
        return tokens;
    }

    /// <summary>Orders strings by their UTF-8 bytes (how numpy sorts TensorFlow's byte strings).</summary>
    /// <param name="a">A string.</param>
    /// <param name="b">Another string.</param>
    public static int CompareUtf8(string a, string b)
    {
        if (a.AsSpan().IndexOfAnyInRange('\uD800', '\uFFFF') < 0 && b.AsSpan().IndexOfAnyInRange('\uD800', '\uFFFF') < 0)
            return string.CompareOrdinal(a, b);
        return Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
    }
}
