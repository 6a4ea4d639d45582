using NUnit.Framework;
using Sharpkeras.Saving;

namespace Sharpkeras.Tests.Saving;

/// <summary>Expected strings are what CPython's str.format prints for the same template and values.</summary>
public class PythonFormatTests
{
    private static string F(string template, params (string, object)[] values)
    {
        var d = values.ToDictionary(v => v.Item1, v => v.Item2);
        return PythonFormat.Format(template, n => d.TryGetValue(n, out var v) ? (true, v) : (false, null));
    }

    [TestCase("{epoch:02d}", 1, "01")]
    [TestCase("{epoch:02d}", 123, "123")]
    [TestCase("{epoch:03}", 7, "007")]
    [TestCase("{epoch}", 12, "12")]
    [TestCase("{epoch:+d}", 5, "+5")]
    [TestCase("{epoch:x}", 255, "ff")]
    [TestCase("{epoch:#x}", 255, "0xff")]
    [TestCase("{epoch:b}", 5, "101")]
    [TestCase("{epoch:,}", 1234567, "1,234,567")]
    [TestCase("{epoch:_d}", 1234567, "1_234_567")]
    [TestCase("{epoch:<4}|", 7, "7   |")]
    [TestCase("{epoch:*^5}", 7, "**7**")]
    [TestCase("{epoch:.2f}", 3, "3.00")]
    [TestCase("{epoch:05d}", -42, "-0042")]
    public void Integers(string template, int value, string expected) => Assert.That(F(template, ("epoch", value)), Is.EqualTo(expected));

    [TestCase("{v:.4f}", 0.123456, "0.1235")]
    [TestCase("{v:.2f}", 2.675, "2.67")] // 2.675 is 2.67499999... in binary; Python rounds the exact value
    [TestCase("{v:.2f}", 0.125, "0.12")] // exact tie: round half to even
    [TestCase("{v:.0f}", 2.5, "2")]
    [TestCase("{v:.2e}", 0.000123456, "1.23e-04")]
    [TestCase("{v:e}", 12345.678, "1.234568e+04")]
    [TestCase("{v:E}", 12345.678, "1.234568E+04")]
    [TestCase("{v}", 0.5, "0.5")]
    [TestCase("{v}", 1.0, "1.0")]
    [TestCase("{v}", 1e-05, "1e-05")]
    [TestCase("{v}", 0.0001, "0.0001")]
    [TestCase("{v}", 1e16, "1e+16")]
    [TestCase("{v}", 1e15, "1000000000000000.0")]
    [TestCase("{v}", 123456789.0, "123456789.0")]
    [TestCase("{v}", 0.30000000000000004, "0.30000000000000004")]
    [TestCase("{v}", -2.5e-07, "-2.5e-07")]
    [TestCase("{v:g}", 0.0001, "0.0001")]
    [TestCase("{v:g}", 1e-05, "1e-05")]
    [TestCase("{v:g}", 123456789.0, "1.23457e+08")]
    [TestCase("{v:g}", 100.0, "100")]
    [TestCase("{v:.3g}", 0.00012345, "0.000123")]
    [TestCase("{v:.3}", 100.0, "1e+02")]
    [TestCase("{v:.3}", 1.0, "1.0")]
    [TestCase("{v:.3}", 0.12345, "0.123")]
    [TestCase("{v:.1%}", 0.25, "25.0%")]
    [TestCase("{v:>8.3f}", 3.14159, "   3.142")]
    [TestCase("{v:08.3f}", -3.14159, "-003.142")]
    [TestCase("{v:+.1f}", 2.0, "+2.0")]
    [TestCase("{v:,.2f}", 1234567.891, "1,234,567.89")]
    [TestCase("{v:.4f}", double.PositiveInfinity, "inf")]
    [TestCase("{v:.4f}", double.NaN, "nan")]
    [TestCase("{v:F}", double.NegativeInfinity, "-INF")]
    [TestCase("{v:z.1f}", -0.01, "0.0")]
    [TestCase("{v:.1f}", -0.01, "-0.0")]
    public void Floats(string template, double value, string expected) => Assert.That(F(template, ("v", value)), Is.EqualTo(expected));

    [Test]
    public void TemplatesAsKerasUsesThem()
    {
        Assert.That(F("weights.{epoch:02d}-{val_loss:.2f}.skeras", ("epoch", 3), ("val_loss", 0.4567)),
            Is.EqualTo("weights.03-0.46.skeras"));
        Assert.That(F("{{literal}}-{epoch}", ("epoch", 1)), Is.EqualTo("{literal}-1"));
        Assert.That(F("{name:^7}|{name!r}", ("name", "ab")), Is.EqualTo("  ab   |'ab'"));
    }

    [Test]
    public void ErrorsAreLikePythons()
    {
        Assert.Throws<FormatException>(() => F("{v:d}", ("v", 1.5)));          // Unknown format code 'd' for object of type 'float'
        Assert.Throws<FormatException>(() => F("{v:.2d}", ("v", 1)));          // Precision not allowed in integer format specifier
        Assert.Throws<FormatException>(() => F("{v", ("v", 1)));
        Assert.Throws<FormatException>(() => F("v}", ("v", 1)));
        Assert.Throws<FormatException>(() => F("{}", ("v", 1)));
        Assert.Throws<FormatException>(() => F("{v:q}", ("v", 1)));
        var ex = Assert.Throws<KeyNotFoundException>(() => F("{val_acc:.2f}", ("v", 1.0)))!;
        Assert.That(ex.Message, Is.EqualTo("'val_acc'"));
        Assert.That(PythonFormat.FieldNames("a{epoch:02d}b{loss}"), Is.EqualTo(new[] { "epoch", "loss" }));
        Assert.That(PythonFormat.StaticPrefix("ckpt/run-{epoch}/m.skeras"), Is.EqualTo("ckpt/run-"));
    }
}
