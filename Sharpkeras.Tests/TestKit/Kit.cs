using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests;

/// <summary>
/// The small kit every test shares: tensor literals, a closeness assertion and exact equality. Import it with
/// <c>using static Sharpkeras.Tests.Kit;</c>. Area-specific helpers stay in the other TestKit classes.
/// </summary>
public static class Kit
{
    /// <summary>A float32 tensor from values and a shape.</summary>
    public static Tensor T(float[] values, params long[] shape) => torch.tensor(values).reshape(shape);

    /// <summary>A 1-D float32 tensor from values.</summary>
    public static Tensor T(params float[] values) => torch.tensor(values);

    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Asserts every value (compared as doubles, row-major) within an absolute tolerance.</summary>
    public static void AssertClose(Tensor actual, double[] expected, double tol = 1e-5, string what = "")
    {
        var a = Doubles(actual);
        Assert.That(a.Length, Is.EqualTo(expected.Length), $"{what}: element count");
        for (int i = 0; i < a.Length; i++)
            Assert.That(a[i], Is.EqualTo(expected[i]).Within(tol), $"{what}: element {i}");
    }

    private static double[] Doubles(Tensor t) => t.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
}
