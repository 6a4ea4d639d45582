using System.Globalization;

namespace Sharpkeras.Callbacks;

/// <summary>Formats numbers the way Python's <c>str(float)</c> does, for messages and files that must read like Keras's.</summary>
internal static class PythonFormat
{
    /// <summary>Python's shortest round-trip repr: "0.1", "1.0", "1e-05", "1.5e+16", "nan", "inf".</summary>
    public static string Float(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        string sign = v < 0 ? "-" : "";
        string s = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int exp = 0;
        string mantissa = s;
        int e = s.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = s[..e];
        }
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot];
        string frac = dot < 0 ? "" : mantissa[(dot + 1)..];
        string digits = intPart + frac;
        int point = intPart.Length + exp;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        point -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        int exp10 = point - 1;
        if (exp10 < -4 || exp10 >= 16)
        {
            string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{m}e{(exp10 < 0 ? "-" : "+")}{Math.Abs(exp10):00}";
        }
        if (point <= 0) return $"{sign}0.{new string('0', -point)}{digits}";
        if (point >= digits.Length) return $"{sign}{digits}{new string('0', point - digits.Length)}.0";
        return $"{sign}{digits[..point]}.{digits[point..]}";
    }
}
