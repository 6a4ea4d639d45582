using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sharpkeras.Saving;

/// <summary>
/// Python's <c>str.format</c> with named fields, as Keras uses it for checkpoint file names
/// (<c>"weights.{epoch:02d}-{val_loss:.4f}.skeras"</c>): <c>{name}</c>, <c>{name:spec}</c>, <c>{name!r}</c>,
/// <c>{{</c> and <c>}}</c>; the format-spec mini-language <c>[[fill]align][sign][z][#][0][width][,|_][.precision][type]</c>
/// with types d n b o x X c (integers), e E f F g G % (numbers) and s (strings); floats without a type
/// print as Python's <c>repr</c>.
/// </summary>
internal static partial class PythonFormat
{
    private readonly record struct Field(string Name, char? Conversion, string Spec);

    private static List<object> Parse(string template)
    {
        var parts = new List<object>();
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '{')
            {
                if (i + 1 < template.Length && template[i + 1] == '{') { literal.Append('{'); i++; continue; }
                int end = template.IndexOf('}', i + 1);
                if (end < 0) throw new FormatException($"Single '{{' encountered in format string \"{template}\".");
                var body = template[(i + 1)..end];
                if (body.Contains('{')) throw new FormatException($"Nested replacement fields are not supported in \"{template}\".");
                if (literal.Length > 0) { parts.Add(literal.ToString()); literal.Clear(); }
                parts.Add(ParseField(body, template));
                i = end;
            }
            else if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}') { literal.Append('}'); i++; continue; }
                throw new FormatException($"Single '}}' encountered in format string \"{template}\".");
            }
            else literal.Append(c);
        }
        if (literal.Length > 0) parts.Add(literal.ToString());
        return parts;
    }

    private static Field ParseField(string body, string template)
    {
        string spec = "";
        int colon = body.IndexOf(':');
        if (colon >= 0) { spec = body[(colon + 1)..]; body = body[..colon]; }
        char? conv = null;
        int bang = body.IndexOf('!');
        if (bang >= 0)
        {
            var c = body[(bang + 1)..];
            if (c is not ("r" or "s" or "a")) throw new FormatException($"Unknown conversion specifier '{c}' in \"{template}\".");
            conv = c[0];
            body = body[..bang];
        }
        if (body.Length == 0) throw new FormatException($"Positional fields '{{}}' are not supported in \"{template}\": name the field, e.g. {{epoch:02d}}.");
        if (!FieldName().IsMatch(body)) throw new FormatException($"Unsupported field name '{body}' in \"{template}\".");
        _ = ParseSpec(spec, template);
        return new Field(body, conv, spec);
    }

    /// <summary>Checks a template's syntax; returns its field names.</summary>
    public static IReadOnlyList<string> FieldNames(string template) => Parse(template).OfType<Field>().Select(f => f.Name).ToList();

    /// <summary>The literal text before the first replacement field.</summary>
    public static string StaticPrefix(string template)
    {
        var parts = Parse(template);
        return parts.Count > 0 && parts[0] is string s ? s : "";
    }

    /// <summary>
    /// Formats <paramref name="template"/>; values are int/long (formatted as Python ints), double (floats) or strings.
    /// A missing name throws <see cref="KeyNotFoundException"/> (Python's KeyError).
    /// </summary>
    public static string Format(string template, Func<string, (bool found, object? value)> lookup)
    {
        var sb = new StringBuilder();
        foreach (var part in Parse(template))
        {
            if (part is string s) { sb.Append(s); continue; }
            var f = (Field)part;
            var (found, value) = lookup(f.Name);
            if (!found) throw new KeyNotFoundException($"'{f.Name}'");
            if (f.Conversion != null) value = value is double d ? Repr(d) : value is string str && f.Conversion != 's' ? $"'{str}'" : Str(value);
            sb.Append(FormatValue(value, f.Spec, template));
        }
        return sb.ToString();
    }

    /// <summary>Formats one number with a Python format spec (".5f" → "0.12346", infinities as "inf").</summary>
    public static string FormatNumber(double value, string spec) => FormatValue(value, spec, spec);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")] private static partial Regex FieldName();

    [GeneratedRegex(@"^(?:(?<fill>.)?(?<align>[<>=^]))?(?<sign>[-+ ])?(?<z>z)?(?<alt>#)?(?<zero>0)?(?<width>\d+)?(?<group>[,_])?(?:\.(?<prec>\d+))?(?<type>[bcdeEfFgGnosxX%])?$", RegexOptions.Singleline)]
    private static partial Regex SpecPattern();

    private sealed record Spec(char? Fill, char? Align, char Sign, bool Z, bool Alt, bool Zero, int? Width, char? Group, int? Precision, char? Type);

    private static Spec ParseSpec(string spec, string template)
    {
        var m = SpecPattern().Match(spec);
        if (!m.Success) throw new FormatException($"Invalid format specifier '{spec}' in \"{template}\".");
        int? Int(string g) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : null;
        return new Spec(m.Groups["fill"].Success ? m.Groups["fill"].Value[0] : null, m.Groups["align"].Success ? m.Groups["align"].Value[0] : null,
            m.Groups["sign"].Success ? m.Groups["sign"].Value[0] : '-', m.Groups["z"].Success, m.Groups["alt"].Success, m.Groups["zero"].Success,
            Int("width"), m.Groups["group"].Success ? m.Groups["group"].Value[0] : null, Int("prec"),
            m.Groups["type"].Success ? m.Groups["type"].Value[0] : null);
    }

    private static string Str(object? v) => v switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => Repr(d),
        float f => Repr(f),
        IFormattable fm => fm.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string FormatValue(object? value, string specText, string template)
    {
        var spec = ParseSpec(specText, template);
        string body;
        bool numeric, negative = false;
        switch (value)
        {
            case int or long or short or byte or sbyte or uint or ushort:
            {
                long n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                if (spec.Type is 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or '%') return FormatValue((double)n, specText, template);
                if (spec.Precision != null) throw new FormatException("Precision not allowed in integer format specifier.");
                if (spec.Type == 's') throw new FormatException("Unknown format code 's' for object of type 'int'.");
                numeric = true;
                negative = n < 0;
                ulong abs = negative ? (ulong)(-(n + 1)) + 1 : (ulong)n;
                body = spec.Type switch
                {
                    'b' => (spec.Alt ? "0b" : "") + Convert.ToString((long)abs, 2),
                    'o' => (spec.Alt ? "0o" : "") + Convert.ToString((long)abs, 8),
                    'x' => (spec.Alt ? "0x" : "") + abs.ToString("x", CultureInfo.InvariantCulture),
                    'X' => (spec.Alt ? "0X" : "") + abs.ToString("X", CultureInfo.InvariantCulture),
                    'c' => ((char)abs).ToString(),
                    _ => Group(abs.ToString(CultureInfo.InvariantCulture), spec.Group),
                };
                break;
            }
            case double or float:
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (spec.Type is 'd' or 'b' or 'o' or 'x' or 'X' or 'c' or 's' or 'n')
                    throw new FormatException($"Unknown format code '{spec.Type}' for object of type 'float'.");
                numeric = true;
                negative = double.IsNegative(d) && !double.IsNaN(d);
                double a = Math.Abs(d);
                body = FormatFloat(a, spec);
                // 'z' turns a negative zero (after rounding) into a positive one.
                if (spec.Z && negative && !body.Any(ch => ch is >= '1' and <= '9')) negative = false;
                break;
            }
            default:
            {
                var s = value is string str ? str : Str(value);
                if (spec.Type is not (null or 's'))
                    throw new FormatException($"Unknown format code '{spec.Type}' for object of type '{(value is bool ? "bool" : "str")}'.");
                if (spec.Sign != '-' ) throw new FormatException("Sign not allowed in string format specifier.");
                numeric = false;
                body = spec.Precision is int p && p < s.Length ? s[..p] : s;
                break;
            }
        }
        string sign = numeric ? (negative ? "-" : spec.Sign == '+' ? "+" : spec.Sign == ' ' ? " " : "") : "";
        char fill = spec.Fill ?? (spec.Zero && spec.Align == null ? '0' : ' ');
        char align = spec.Align ?? (spec.Zero && numeric ? '=' : numeric ? '>' : '<');
        int width = spec.Width ?? 0;
        int pad = Math.Max(0, width - sign.Length - body.Length);
        return align switch
        {
            '<' => sign + body + new string(fill, pad),
            '^' => new string(fill, pad / 2) + sign + body + new string(fill, pad - pad / 2),
            '=' => sign + new string(fill, pad) + body,
            _ => new string(fill, pad) + sign + body,
        };
    }

    private static string Group(string digits, char? sep)
    {
        if (sep is not char s || digits.Length <= 3) return digits;
        var sb = new StringBuilder();
        for (int i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % 3 == 0) sb.Append(s);
            sb.Append(digits[i]);
        }
        return sb.ToString();
    }

    /// <summary>Formats a non-negative float (the sign is handled by the caller).</summary>
    private static string FormatFloat(double a, Spec spec)
    {
        bool upper = spec.Type is 'E' or 'F' or 'G';
        if (double.IsNaN(a)) return upper ? "NAN" : "nan";
        if (double.IsInfinity(a)) return (upper ? "INF" : "inf") + (spec.Type == '%' ? "%" : "");
        string s;
        switch (spec.Type)
        {
            case 'f' or 'F':
                s = a.ToString("F" + (spec.Precision ?? 6), CultureInfo.InvariantCulture);
                if (spec.Alt && !s.Contains('.')) s += ".";
                return GroupFixed(s, spec.Group);
            case '%':
                s = (a * 100).ToString("F" + (spec.Precision ?? 6), CultureInfo.InvariantCulture);
                if (spec.Alt && !s.Contains('.')) s += ".";
                return GroupFixed(s, spec.Group) + "%";
            case 'e' or 'E':
                s = Sci(a, spec.Precision ?? 6, spec.Alt);
                return upper ? s.ToUpperInvariant() : s;
            case 'g' or 'G':
                s = General(a, spec.Precision ?? 6, spec.Alt, keepOneDecimal: false, sciAt: 0);
                return GroupFixed(upper ? s.ToUpperInvariant() : s, spec.Group);
            default:
                if (spec.Precision is int p) return GroupFixed(General(a, p, spec.Alt, keepOneDecimal: true, sciAt: 1), spec.Group);
                return GroupFixed(Repr(a), spec.Group);
        }
    }

    private static string GroupFixed(string s, char? sep)
    {
        if (sep == null) return s;
        int end = s.IndexOfAny(['.', 'e', 'E', '%']);
        if (end < 0) end = s.Length;
        return Group(s[..end], sep) + s[end..];
    }

    /// <summary>Scientific notation with <paramref name="precision"/> digits after the point, exponent of at least 2 digits.</summary>
    private static string Sci(double a, int precision, bool alt)
    {
        var s = a.ToString("E" + precision, CultureInfo.InvariantCulture); // d.dddE+ddd
        int e = s.IndexOf('E');
        string mant = s[..e];
        int exp = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
        if (alt && !mant.Contains('.')) mant += ".";
        return $"{mant}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
    }

    /// <summary>Python's 'g' (and the no-type-with-precision variant, which keeps one decimal and switches to exponents one digit earlier).</summary>
    private static string General(double a, int precision, bool alt, bool keepOneDecimal, int sciAt)
    {
        int p = precision == 0 ? 1 : precision;
        int exp = 0;
        if (a != 0)
        {
            var s = a.ToString("E" + (p - 1), CultureInfo.InvariantCulture);
            exp = int.Parse(s[(s.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        }
        if (exp >= -4 && exp < p - sciAt)
        {
            var f = a.ToString("F" + Math.Max(0, p - 1 - exp), CultureInfo.InvariantCulture);
            if (!alt && f.Contains('.')) f = f.TrimEnd('0').TrimEnd('.');
            if (keepOneDecimal && !f.Contains('.')) f += ".0";
            else if (alt && !f.Contains('.')) f += ".";
            return f;
        }
        var sci = Sci(a, p - 1, alt);
        if (!alt)
        {
            int e = sci.IndexOf('e');
            var mant = sci[..e];
            if (mant.Contains('.')) mant = mant.TrimEnd('0').TrimEnd('.');
            sci = mant + sci[e..];
        }
        return sci;
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, fixed for 1e-4 &lt;= |x| &lt; 1e16, else scientific.</summary>
    public static string Repr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(d) ? "-" : "";
        double a = Math.Abs(d);
        if (a == 0) return sign + "0.0";
        var r = a.ToString("R", CultureInfo.InvariantCulture);
        int ePos = r.IndexOfAny(['E', 'e']);
        int exp10 = ePos >= 0 ? int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture) : 0;
        var mant = ePos >= 0 ? r[..ePos] : r;
        int point = mant.IndexOf('.');
        if (point < 0) point = mant.Length;
        var all = mant.Replace(".", "", StringComparison.Ordinal);
        int lead = all.Length - all.TrimStart('0').Length;
        var digits = all.Trim('0');
        int sciExp = point - lead - 1 + exp10;
        if (sciExp >= -4 && sciExp < 16)
        {
            if (sciExp >= 0)
            {
                var intPart = digits.Length > sciExp + 1 ? digits[..(sciExp + 1)] : digits.PadRight(sciExp + 1, '0');
                var frac = digits.Length > sciExp + 1 ? digits[(sciExp + 1)..] : "0";
                return $"{sign}{intPart}.{frac}";
            }
            return $"{sign}0.{new string('0', -sciExp - 1)}{digits}";
        }
        var m = digits.Length > 1 ? $"{digits[0]}.{digits[1..]}" : digits;
        return $"{sign}{m}e{(sciExp < 0 ? "-" : "+")}{Math.Abs(sciExp):00}";
    }
}
