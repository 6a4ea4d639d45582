using System.Globalization;
using System.Numerics;

namespace Sharpkeras.Display;

/// <summary>
/// Python's fixed-point and exponent formatting (<c>"{:.2f}"</c>, <c>"%.4e"</c>): the exact binary value
/// rounded half to even, which is what Keras's printed numbers are (.NET's "F2" rounds exact halves away
/// from zero: 1.125 → "1.13" where Python prints "1.12").
/// </summary>
internal static class PythonNumbers
{
    /// <summary>Python's <c>format(value, ".{digits}f")</c>.</summary>
    public static string Fixed(double value, int digits)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        bool negative = value < 0 || (value == 0 && double.IsNegative(value));
        var (num, den) = Exact(Math.Abs(value));
        num *= BigInteger.Pow(10, digits);
        var q = BigInteger.DivRem(num, den, out var r);
        int cmp = (2 * r).CompareTo(den);
        if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
        string s = q.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        if (digits > 0) s = s[..^digits] + "." + s[^digits..];
        return (negative ? "-" : "") + s;
    }

    /// <summary>Python's <c>format(value, ".{digits}e")</c>: mantissa rounded half to even, exponent of at least two digits.</summary>
    public static string Exponent(double value, int digits)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        bool negative = value < 0 || (value == 0 && double.IsNegative(value));
        double a = Math.Abs(value);
        if (a == 0) return (negative ? "-" : "") + Fixed(0, digits) + "e+00";
        var (num, den) = Exact(a);
        int exp = (int)Math.Floor(Math.Log10(a));
        for (int attempt = 0; attempt < 3; attempt++)
        {
            // mantissa digits = round(a / 10^exp * 10^digits)
            BigInteger n = num, d = den;
            int shift = digits - exp;
            if (shift >= 0) n *= BigInteger.Pow(10, shift); else d *= BigInteger.Pow(10, -shift);
            var q = BigInteger.DivRem(n, d, out var r);
            int cmp = (2 * r).CompareTo(d);
            if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
            var lo = BigInteger.Pow(10, digits);
            if (q < lo) { exp--; continue; }
            if (q >= lo * 10) { exp++; continue; }
            string s = q.ToString(CultureInfo.InvariantCulture);
            string mant = digits > 0 ? s[..1] + "." + s[1..] : s;
            return $"{(negative ? "-" : "")}{mant}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        return value.ToString("E" + digits, CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>f"{n:,}"</c> for an integer.</summary>
    public static string Grouped(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>The exact value of a finite non-negative double as num/den with den a power of two.</summary>
    private static (BigInteger num, BigInteger den) Exact(double a)
    {
        long bits = BitConverter.DoubleToInt64Bits(a);
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        return exponent >= 0
            ? (new BigInteger(mantissa) << exponent, BigInteger.One)
            : (new BigInteger(mantissa), BigInteger.One << -exponent);
    }
}
