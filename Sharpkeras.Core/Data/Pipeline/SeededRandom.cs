namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// A small deterministic generator (SplitMix64) for shuffling file lists and index streams: the same seed
/// gives the same order on every platform and .NET version.
/// </summary>
internal sealed class SeededRandom
{
    private ulong _state;

    public SeededRandom(ulong seed) => _state = seed;

    /// <summary>A generator for pass <paramref name="pass"/> of a stream seeded with <paramref name="seed"/>.</summary>
    public static SeededRandom ForPass(long seed, long pass)
    {
        ulong s = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)pass + 0x632BE59BD9B4E019UL) * 0xBF58476D1CE4E5B9UL);
        return new SeededRandom(Mix(s));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 1) return 0;
        // Lemire's multiply-shift on 32 random bits: unbiased enough for shuffling (n < 2^31).
        return (int)(((NextUInt64() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
