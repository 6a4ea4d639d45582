namespace Sharpkeras.Display;

/// <summary>The terminal escape codes <c>rich</c> writes for Keras's styles (256-colour palette, bold).</summary>
internal static class Ansi
{
    /// <summary>Text in 256-colour palette entry <paramref name="color"/> (0-15 use the 16 standard codes, as rich does).</summary>
    public static string Color(string text, int color)
    {
        string code = color switch
        {
            < 8 => (30 + color).ToString(System.Globalization.CultureInfo.InvariantCulture),
            < 16 => (90 + color - 8).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "38;5;" + color.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return $"\u001b[{code}m{text}\u001b[0m";
    }

    /// <summary>Bold text.</summary>
    public static string Bold(string text) => $"\u001b[1m{text}\u001b[0m";
}
