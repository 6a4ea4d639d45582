namespace Sharpkeras.Callbacks;

/// <summary>Prints a callback's warning to standard error once per distinct message (as Python's warnings filter does).</summary>
internal sealed class CallbackWarnings
{
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public void Warn(string message)
    {
        if (_shown.Add(message)) Console.Error.WriteLine($"UserWarning: {message}");
    }
}
