using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>Sequence utilities (Keras's <c>keras.utils.pad_sequences</c>).</summary>
public static class Sequence
{
    /// <summary>
    /// Pads (and truncates) variable-length sequences to one length, giving a (numSequences, maxLen) tensor
    /// (Keras's <c>pad_sequences</c>, same defaults: int32, pre-padding, pre-truncation, value 0).
    /// </summary>
    /// <param name="sequences">The sequences (e.g. word ids from <c>Imdb.LoadData</c>).</param>
    /// <param name="maxLen">Output length; default the longest sequence.</param>
    /// <param name="dtype">Element type of the result; Keras's default int32 (Embedding takes int32 and int64).</param>
    /// <param name="padding">"pre" (pad at the start) or "post" (pad at the end).</param>
    /// <param name="truncating">"pre" (drop values from the start of longer sequences) or "post" (from the end).</param>
    /// <param name="value">Padding value (cast to <paramref name="dtype"/>).</param>
    public static Tensor PadSequences(IEnumerable<long[]> sequences, int? maxLen = null, ScalarType dtype = ScalarType.Int32,
        string padding = "pre", string truncating = "pre", double value = 0.0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (padding is not ("pre" or "post"))
            throw new ArgumentException($"padding must be \"pre\" or \"post\"; got \"{padding}\".", nameof(padding));
        if (truncating is not ("pre" or "post"))
            throw new ArgumentException($"truncating must be \"pre\" or \"post\"; got \"{truncating}\".", nameof(truncating));
        if (maxLen is < 0) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "maxLen must be >= 0 or null.");
        if (dtype == ScalarType.Bool || dtype.IsComplexType())
            throw new ArgumentException($"dtype must be an integer or floating-point type; got {dtype}.", nameof(dtype));
        var seqs = sequences.ToArray();
        for (int i = 0; i < seqs.Length; i++)
            if (seqs[i] is null) throw new ArgumentException($"sequences[{i}] is null.", nameof(sequences));
        int len = maxLen ?? (seqs.Length == 0 ? 0 : seqs.Max(s => s.Length));
        int n = seqs.Length;
        bool isFloat = dtype.IsFloat();
        if (isFloat)
        {
            var data = new double[(long)n * len];
            Array.Fill(data, value);
            Fill(seqs, len, padding, truncating, (dst, src) => data[dst] = src);
            return torch.tensor(data, new long[] { n, len }, dtype: ScalarType.Float64).to(dtype);
        }
        else
        {
            var data = new long[(long)n * len];
            Array.Fill(data, (long)value);
            Fill(seqs, len, padding, truncating, (dst, src) => data[dst] = src);
            using var t = torch.tensor(data, new long[] { n, len }, dtype: ScalarType.Int64);
            return t.to(dtype);
        }
    }

    /// <summary>Pads int sequences; see <see cref="PadSequences(IEnumerable{long[]}, int?, ScalarType, string, string, double)"/>.</summary>
    /// <param name="sequences">The sequences (e.g. word ids).</param>
    /// <param name="maxLen">Output length; default the longest sequence.</param>
    /// <param name="dtype">Element type of the result; Keras's default int32 (Embedding takes int32 and int64).</param>
    /// <param name="padding">"pre" (pad at the start) or "post" (pad at the end).</param>
    /// <param name="truncating">"pre" (drop values from the start of longer sequences) or "post" (from the end).</param>
    /// <param name="value">Padding value (cast to <paramref name="dtype"/>).</param>
    /// <returns>A (numSequences, maxLen) tensor.</returns>
    public static Tensor PadSequences(IEnumerable<int[]> sequences, int? maxLen = null, ScalarType dtype = ScalarType.Int32,
        string padding = "pre", string truncating = "pre", double value = 0.0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return PadSequences(sequences.Select(s => s?.Select(v => (long)v).ToArray()!), maxLen, dtype, padding, truncating, value);
    }

    private static void Fill(long[][] seqs, int len, string padding, string truncating, Action<long, long> set)
    {
        for (int i = 0; i < seqs.Length; i++)
        {
            var s = seqs[i];
            if (s.Length == 0 || len == 0) continue;
            int take = Math.Min(len, s.Length);
            int srcStart = truncating == "pre" ? s.Length - take : 0;
            int dstStart = padding == "post" ? 0 : len - take;
            long row = (long)i * len;
            for (int j = 0; j < take; j++) set(row + dstStart + j, s[srcStart + j]);
        }
    }
}
