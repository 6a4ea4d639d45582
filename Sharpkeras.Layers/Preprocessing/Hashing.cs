using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Hashes integer (or string) features into <c>numBins</c> bins (Keras's <c>Hashing</c>): a value's bin is FarmHash64
/// <c>Fingerprint64</c> of its decimal text (UTF-8) modulo the number of bins — TensorFlow's <c>strings.to_hash_bucket_fast</c>,
/// which Keras uses — or, with a <c>salt</c>, SipHash-2-4 keyed by the salt (TensorFlow's <c>strings.to_hash_bucket_strong</c>).
/// With <c>maskValue</c>, bin 0 is reserved for that value and the others go to <c>1 + hash mod (numBins − 1)</c>.
/// Output modes: "int" (the bins, int64), "one_hot", "multi_hot" and "count" (float32 encodings of the bins, as
/// <see cref="CategoryEncoding"/> makes them).
/// </summary>
/// <remarks>
/// Hashing runs on the host (the values are read back, hashed, and the result moved to the input's device): use the layer in
/// the input pipeline, not in a hot training step. Floating-point inputs are compared with the mask value as they are, then
/// truncated to int64 before hashing, as Keras does. Keras's single-integer salt <c>s</c> is written <c>[s, s]</c> here.
/// </remarks>
public sealed class Hashing : Layer
{
    private static readonly string[] Modes = ["int", "one_hot", "multi_hot", "count"];

    /// <summary>Creates the layer.</summary>
    /// <param name="numBins">Number of bins, the mask bin included (&gt; 0).</param>
    /// <param name="maskValue">The value mapped to bin 0, or null (default) for none.</param>
    /// <param name="salt">The SipHash key as two integers (Keras's <c>salt</c>; a single integer s is <c>[s, s]</c>), or null for FarmHash64.</param>
    /// <param name="outputMode">"int" (default), "one_hot", "multi_hot" or "count".</param>
    /// <param name="sparse">Keras's <c>sparse</c>; only false (dense outputs) is supported.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Hashing(int numBins, long? maskValue = null, long[]? salt = null, string outputMode = "int", bool sparse = false, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (numBins <= 0) throw new ArgumentOutOfRangeException(nameof(numBins), numBins, $"Hashing: numBins must be > 0; got {numBins}.");
        if (salt is not null && salt.Length != 2)
            throw new ArgumentException($"Hashing: salt must hold exactly 2 integers (write a single integer s as [s, s]); got {salt.Length}.", nameof(salt));
        if (!Modes.Contains(outputMode))
            throw new ArgumentException($"Hashing: outputMode must be one of \"int\", \"one_hot\", \"multi_hot\", \"count\"; got \"{outputMode}\".", nameof(outputMode));
        if (sparse)
            throw new ArgumentException(outputMode == "int"
                ? "Hashing: sparse=true may only be used with outputMode \"one_hot\", \"multi_hot\" or \"count\"."
                : "Hashing: sparse=true is not supported (TorchSharp layers produce dense tensors); pass sparse: false.", nameof(sparse));
        NumBins = numBins;
        MaskValue = maskValue;
        Salt = salt?.ToArray();
        OutputMode = outputMode;
        AcceptsIntegerInput = true;
    }

    /// <summary>Number of bins (mask bin included).</summary>
    public int NumBins { get; }

    /// <summary>The masked value, or null.</summary>
    public long? MaskValue { get; }

    /// <summary>The SipHash key (two integers), or null for FarmHash64.</summary>
    public long[]? Salt { get; }

    /// <summary>The output mode.</summary>
    public string OutputMode { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dtype == ScalarType.Bool || inputs.is_complex())
            throw new ArgumentException($"Hashing '{Name}': expects an integer or floating tensor; got {inputs.dtype}.", nameof(inputs));
        long[] values;
        bool[]? masked = null;
        using (NewDisposeScope())
        {
            values = inputs.to(ScalarType.Int64).cpu().flatten().data<long>().ToArray();
            if (MaskValue is long m && NumBins > 1)
                masked = (inputs.dtype.IsFloat() ? inputs.to(ScalarType.Float64).eq((double)m) : inputs.to(ScalarType.Int64).eq(m)).cpu().flatten().data<bool>().ToArray();
        }
        var bins = new long[values.Length];
        for (int i = 0; i < values.Length; i++)
            bins[i] = masked is not null && masked[i] ? 0 : Bin(values[i].ToString(CultureInfo.InvariantCulture));
        return Encode(torch.tensor(bins, inputs.shape, dtype: ScalarType.Int64).to(inputs.device));
    }

    /// <summary>
    /// Hashes strings (Keras's <c>Hashing</c> on string inputs); with a mask value, the string equal to its decimal text goes to bin 0.
    /// Returns the bins (shape (count), int64) in "int" mode, else their encoding with one sample per string.
    /// </summary>
    /// <param name="values">The strings.</param>
    public Tensor HashStrings(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bins = values.Select(HashOne).ToArray();
        return Encode(torch.tensor(bins, dtype: ScalarType.Int64));
    }

    /// <summary>
    /// Hashes rows of strings (all rows of one length): the bins, shape (rows, length), in "int" mode; else one encoded sample per row
    /// (e.g. "multi_hot": which bins the row's strings fall in).
    /// </summary>
    /// <param name="rows">The rows of strings.</param>
    public Tensor HashStrings(IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.Select(r => r ?? throw new ArgumentException($"Hashing '{Name}': HashStrings got a null row.", nameof(rows))).ToList();
        int width = list.Count == 0 ? 0 : list[0].Count;
        if (list.Any(r => r.Count != width))
            throw new ArgumentException($"Hashing '{Name}': every row must have the same length ({width}); got lengths {string.Join(", ", list.Select(r => r.Count).Distinct())}.", nameof(rows));
        var bins = list.SelectMany(r => r).Select(HashOne).ToArray();
        return Encode(torch.tensor(bins, new long[] { list.Count, width }, dtype: ScalarType.Int64));
    }

    private long HashOne(string s)
    {
        if (s is null) throw new ArgumentException($"Hashing '{Name}': HashStrings got a null string.", "values");
        return MaskValue is long m && NumBins > 1 && s == m.ToString(CultureInfo.InvariantCulture) ? 0L : Bin(s);
    }

    private Tensor Encode(Tensor bins) => OutputMode == "int" ? bins : CategoryEncoding.EncodeIds(bins, NumBins, OutputMode, null);

    private long Bin(string s)
    {
        bool masked = MaskValue is not null && NumBins > 1;
        ulong bins = (ulong)(masked ? NumBins - 1 : NumBins);
        long b = (long)(HashToBucket(s, bins, Salt));
        return masked ? b + 1 : b;
    }

    /// <summary>
    /// TensorFlow's <c>to_hash_bucket_fast</c> (FarmHash64 of the UTF-8 bytes, no <paramref name="salt"/>) or
    /// <c>to_hash_bucket_strong</c> (SipHash-2-4 keyed by the two salt integers) modulo <paramref name="buckets"/>.
    /// </summary>
    internal static ulong HashToBucket(string s, ulong buckets, long[]? salt)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        ulong h = salt is null ? Fingerprint64(bytes) : SipHash.Hash24((ulong)salt[0], (ulong)salt[1], bytes);
        return h % buckets;
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => OutputMode == "int" ? ScalarType.Int64 : ScalarType.Float32;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) =>
        OutputMode == "int" ? inputShape : CategoryEncoding.EncodedShape(inputShape, NumBins, OutputMode);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_bins"] = NumBins;
        c["salt"] = Salt?.ToArray();
        c["mask_value"] = MaskValue;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
        return c;
    }

    // FarmHash64 Fingerprint64 (farmhashna::Hash64), the function behind TensorFlow's to_hash_bucket_fast.
    private const ulong K0 = 0xc3a5c85c97cb3127UL, K1 = 0xb492b66fbe98f273UL, K2 = 0x9ae16a3b2f90404fUL;

    private static ulong Fetch64(byte[] s, int i) => BitConverter.ToUInt64(s, i);
    private static ulong Fetch32(byte[] s, int i) => BitConverter.ToUInt32(s, i);
    private static ulong Rotate(ulong v, int shift) => shift == 0 ? v : (v >> shift) | (v << (64 - shift));
    private static ulong ShiftMix(ulong v) => v ^ (v >> 47);

    private static ulong HashLen16(ulong u, ulong v, ulong mul)
    {
        ulong a = (u ^ v) * mul;
        a ^= a >> 47;
        ulong b = (v ^ a) * mul;
        b ^= b >> 47;
        return b * mul;
    }

    private static ulong HashLen16(ulong u, ulong v) => HashLen16(u, v, 0x9ddfea08eb382d69UL);

    private static (ulong, ulong) WeakHashLen32WithSeeds(ulong w, ulong x, ulong y, ulong z, ulong a, ulong b)
    {
        a += w;
        b = Rotate(b + a + z, 21);
        ulong c = a;
        a += x;
        a += y;
        b += Rotate(a, 44);
        return (a + z, b + c);
    }

    private static (ulong, ulong) WeakHashLen32WithSeeds(byte[] s, int i, ulong a, ulong b)
        => WeakHashLen32WithSeeds(Fetch64(s, i), Fetch64(s, i + 8), Fetch64(s, i + 16), Fetch64(s, i + 24), a, b);

    internal static ulong Fingerprint64(byte[] s)
    {
        int len = s.Length;
        if (len <= 16) return HashLen0to16(s, len);
        if (len <= 32) return HashLen17to32(s, len);
        if (len <= 64) return HashLen33to64(s, len);
        ulong seed = 81;
        ulong x = seed, y = unchecked(seed * K1 + 113), z = ShiftMix(y * K2 + 113) * K2;
        (ulong, ulong) v = (0, 0), w = (0, 0);
        x = x * K2 + Fetch64(s, 0);
        int end = ((len - 1) / 64) * 64, last64 = end + ((len - 1) & 63) - 63;
        int p = 0;
        do
        {
            x = Rotate(x + y + v.Item1 + Fetch64(s, p + 8), 37) * K1;
            y = Rotate(y + v.Item2 + Fetch64(s, p + 48), 42) * K1;
            x ^= w.Item2;
            y += v.Item1 + Fetch64(s, p + 40);
            z = Rotate(z + w.Item1, 33) * K1;
            v = WeakHashLen32WithSeeds(s, p, v.Item2 * K1, x + w.Item1);
            w = WeakHashLen32WithSeeds(s, p + 32, z + w.Item2, y + Fetch64(s, p + 16));
            (z, x) = (x, z);
            p += 64;
        } while (p != end);
        ulong mul = K1 + ((z & 0xff) << 1);
        p = last64;
        w.Item1 += (ulong)((len - 1) & 63);
        v.Item1 += w.Item1;
        w.Item1 += v.Item1;
        x = Rotate(x + y + v.Item1 + Fetch64(s, p + 8), 37) * mul;
        y = Rotate(y + v.Item2 + Fetch64(s, p + 48), 42) * mul;
        x ^= w.Item2 * 9;
        y += v.Item1 * 9 + Fetch64(s, p + 40);
        z = Rotate(z + w.Item1, 33) * mul;
        v = WeakHashLen32WithSeeds(s, p, v.Item2 * mul, x + w.Item1);
        w = WeakHashLen32WithSeeds(s, p + 32, z + w.Item2, y + Fetch64(s, p + 16));
        (z, x) = (x, z);
        return HashLen16(HashLen16(v.Item1, w.Item1, mul) + ShiftMix(y) * K0 + z, HashLen16(v.Item2, w.Item2, mul) + x, mul);
    }

    private static ulong HashLen0to16(byte[] s, int len)
    {
        if (len >= 8)
        {
            ulong mul = K2 + (ulong)len * 2;
            ulong a = Fetch64(s, 0) + K2;
            ulong b = Fetch64(s, len - 8);
            ulong c = Rotate(b, 37) * mul + a;
            ulong d = (Rotate(a, 25) + b) * mul;
            return HashLen16(c, d, mul);
        }
        if (len >= 4)
        {
            ulong mul = K2 + (ulong)len * 2;
            ulong a = Fetch32(s, 0);
            return HashLen16((ulong)len + (a << 3), Fetch32(s, len - 4), mul);
        }
        if (len > 0)
        {
            uint a = s[0], b = s[len >> 1], c = s[len - 1];
            uint y = a + (b << 8);
            uint z = (uint)len + (c << 2);
            return ShiftMix(y * K2 ^ z * K0) * K2;
        }
        return K2;
    }

    private static ulong HashLen17to32(byte[] s, int len)
    {
        ulong mul = K2 + (ulong)len * 2;
        ulong a = Fetch64(s, 0) * K1;
        ulong b = Fetch64(s, 8);
        ulong c = Fetch64(s, len - 8) * mul;
        ulong d = Fetch64(s, len - 16) * K2;
        return HashLen16(Rotate(a + b, 43) + Rotate(c, 30) + d, a + Rotate(b + K2, 18) + c, mul);
    }

    private static ulong HashLen33to64(byte[] s, int len)
    {
        ulong mul = K2 + (ulong)len * 2;
        ulong a = Fetch64(s, 0) * K2;
        ulong b = Fetch64(s, 8);
        ulong c = Fetch64(s, len - 8) * mul;
        ulong d = Fetch64(s, len - 16) * K2;
        ulong y = Rotate(a + b, 43) + Rotate(c, 30) + d;
        ulong z = HashLen16(y, a + Rotate(b + K2, 18) + c, mul);
        ulong e = Fetch64(s, 16) * mul;
        ulong f = Fetch64(s, 24);
        ulong g = (y + Fetch64(s, len - 32)) * mul;
        ulong h = (z + Fetch64(s, len - 24)) * mul;
        return HashLen16(Rotate(e + f, 43) + Rotate(g, 30) + h, e + Rotate(f + a, 18) + g, mul);
    }
}
