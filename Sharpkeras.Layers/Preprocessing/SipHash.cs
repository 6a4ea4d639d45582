namespace Sharpkeras.Layers;

/// <summary>
/// SipHash-2-4 (Aumasson &amp; Bernstein) with a 128-bit key given as two 64-bit halves — the keyed hash behind TensorFlow's
/// <c>strings.to_hash_bucket_strong</c>, which Keras's <c>Hashing</c> and lookup layers use when a <c>salt</c> is given.
/// </summary>
internal static class SipHash
{
    private static ulong Rotl(ulong x, int b) => (x << b) | (x >> (64 - b));

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1; v1 = Rotl(v1, 13); v1 ^= v0; v0 = Rotl(v0, 32);
        v2 += v3; v3 = Rotl(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Rotl(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Rotl(v1, 17); v1 ^= v2; v2 = Rotl(v2, 32);
    }

    /// <summary>The 64-bit SipHash-2-4 of <paramref name="data"/> under the key (<paramref name="k0"/>, <paramref name="k1"/>).</summary>
    public static ulong Hash24(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        ulong v0 = 0x736f6d6570736575UL ^ k0, v1 = 0x646f72616e646f6dUL ^ k1;
        ulong v2 = 0x6c7967656e657261UL ^ k0, v3 = 0x7465646279746573UL ^ k1;
        int len = data.Length, end = len - (len % 8);
        for (int i = 0; i < end; i += 8)
        {
            ulong m = BitConverter.ToUInt64(data.Slice(i, 8));
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }
        ulong last = (ulong)(len & 0xff) << 56;
        for (int i = 0; i < len - end; i++) last |= (ulong)data[end + i] << (8 * i);
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
