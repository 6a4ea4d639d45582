using TorchSharp;

namespace Sharpkeras.Engine;

/// <summary>
/// The library's own random generator (shuffling, seeds for layers without one). Seeded by
/// <see cref="Keras.Config.Seed"/>; its state can be saved and restored (BackupAndRestore).
/// </summary>
public static class RandomState
{
    private static torch.Generator? _generator;
    private static readonly object Gate = new();

    /// <summary>The CPU generator used for shuffling.</summary>
    public static torch.Generator Generator
    {
        get
        {
            lock (Gate)
                return _generator ??= new torch.Generator((ulong)Random.Shared.NextInt64(), torch.CPU);
        }
    }

    internal static void Reset(int seed)
    {
        lock (Gate)
        {
            _generator?.Dispose();
            _generator = new torch.Generator((ulong)seed, torch.CPU);
        }
    }

    /// <summary>Draws a fresh 63-bit seed from the library generator (for per-layer seeds).</summary>
    public static long NextSeed()
    {
        lock (Gate)
        {
            using var t = torch.randint(0, long.MaxValue, new long[] { 1 }, dtype: torch.int64, generator: Generator);
            return t.item<long>();
        }
    }
}
