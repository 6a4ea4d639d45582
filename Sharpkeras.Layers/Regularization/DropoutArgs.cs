using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>The rate check and the seeded generator the dropout and noise layers share.</summary>
internal static class DropoutArgs
{
    /// <summary>Checks a drop rate: in [0, 1), or in [0, 1] when <paramref name="allowOne"/> (Keras's ranges per layer).</summary>
    /// <param name="rate">The rate given.</param>
    /// <param name="layer">The layer kind, for the message.</param>
    /// <param name="allowOne">Whether 1 is allowed.</param>
    public static double Rate(double rate, string layer, bool allowOne)
    {
        if (!(rate >= 0 && (allowOne ? rate <= 1 : rate < 1)))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"{layer}: rate must be in [0, 1{(allowOne ? "]" : ")")}; got {rate}.");
        return rate;
    }

    /// <summary>A CPU generator seeded with <paramref name="seed"/>, or null (torch's default generator) without one.</summary>
    /// <param name="seed">The layer's seed.</param>
    public static Generator? SeededGenerator(int? seed) => seed is int s ? new Generator((ulong)s, torch.CPU) : null;
}
