namespace Sharpkeras.Saving;

/// <summary>
/// While a model file is being turned back into a model, bounds the weights its config may create by the
/// number of values the file actually holds: a config cannot make the loader allocate a huge layer from a
/// tiny file. Charged by <see cref="Layer.AddWeight"/>; a no-op outside loading.
/// </summary>
internal static class LoadBudget
{
    [ThreadStatic] private static long? _remaining;
    [ThreadStatic] private static string? _source;

    /// <summary>Starts a budget of <paramref name="values"/> weight values for this thread; dispose to end it.</summary>
    public static IDisposable Begin(long values, string source)
    {
        var previous = (_remaining, _source);
        _remaining = values;
        _source = source;
        return new End(previous);
    }

    private sealed class End((long?, string?) previous) : IDisposable
    {
        public void Dispose() => (_remaining, _source) = previous;
    }

    /// <summary>Charges a new weight; throws <see cref="InvalidDataException"/> past the budget.</summary>
    public static void Charge(Layer layer, string name, long[] shape)
    {
        if (_remaining is not long left) return;
        long n = 1;
        foreach (var d in shape)
        {
            n = d == 0 ? 0 : n > left / Math.Max(d, 1) ? left + 1 : n * d;
            if (n > left) break;
        }
        if (n > left)
            throw new InvalidDataException(
                $"{_source}: the config makes layer '{layer.Name}' create weight '{name}' of shape ({string.Join(", ", shape)}), " +
                "more values than the file's weights hold.");
        _remaining = left - n;
    }
}
