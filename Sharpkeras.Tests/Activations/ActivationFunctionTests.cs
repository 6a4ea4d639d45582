using NUnit.Framework;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>Every activation alias of api.md against Keras 3's definitions, computed by hand at a few points.</summary>
public class ActivationFunctionTests
{
    private static readonly double[] Xs = [-4, -2, -0.5, 0, 1.5, 4];

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    // Φ, the standard normal CDF, at the test points (tabulated values).
    private static readonly Dictionary<double, double> Phi = new()
    {
        [-4] = 3.1671241833119857e-05, [-2] = 0.022750131948179195, [-0.5] = 0.3085375387259869,
        [0] = 0.5, [1.5] = 0.9331927987311419, [4] = 0.9999683287581669,
    };

    private static IEnumerable<TestCaseData> Cases()
    {
        const double seluAlpha = 1.6732632423543772, seluScale = 1.0507009873554805;
        yield return new TestCaseData("linear", (Func<double, double>)(x => x));
        yield return new TestCaseData("relu", (Func<double, double>)(x => Math.Max(x, 0)));
        yield return new TestCaseData("sigmoid", (Func<double, double>)Sigmoid);
        yield return new TestCaseData("tanh", (Func<double, double>)Math.Tanh);
        // Keras 3: leaky_relu's negative_slope defaults to 0.2.
        yield return new TestCaseData("leaky_relu", (Func<double, double>)(x => x >= 0 ? x : 0.2 * x));
        yield return new TestCaseData("elu", (Func<double, double>)(x => x > 0 ? x : Math.Exp(x) - 1));
        yield return new TestCaseData("selu", (Func<double, double>)(x => seluScale * (x > 0 ? x : seluAlpha * (Math.Exp(x) - 1))));
        // Keras 3: gelu's approximate defaults to False: x · Φ(x).
        yield return new TestCaseData("gelu", (Func<double, double>)(x => x * Phi[x]));
        yield return new TestCaseData("swish", (Func<double, double>)(x => x * Sigmoid(x)));
        yield return new TestCaseData("silu", (Func<double, double>)(x => x * Sigmoid(x)));
        yield return new TestCaseData("softplus", (Func<double, double>)(x => Math.Log(1 + Math.Exp(x))));
        yield return new TestCaseData("softsign", (Func<double, double>)(x => x / (1 + Math.Abs(x))));
        // Keras 3: hard_sigmoid = 0 for x ≤ -3, 1 for x ≥ 3, x/6 + 0.5 between.
        yield return new TestCaseData("hard_sigmoid", (Func<double, double>)(x => x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5));
        yield return new TestCaseData("exponential", (Func<double, double>)Math.Exp);
    }

    [TestCaseSource(nameof(Cases))]
    public void ElementwiseActivationMatchesKerasDefinition(string alias, Func<double, double> expected)
    {
        var f = Activations.Get(alias);
        var y = f(torch.tensor(Xs, dtype: ScalarType.Float64));
        var v = Values(y);
        for (int i = 0; i < Xs.Length; i++)
            Assert.That(v[i], Is.EqualTo(expected(Xs[i])).Within(1e-7), $"{alias}({Xs[i]})");
        Assert.That(Activations.Validate(alias), Is.EqualTo(alias));
    }

    [Test]
    public void SoftmaxActivationNormalizesTheLastAxis()
    {
        var y = Activations.Get("softmax")(torch.tensor(new double[] { 1, 2, 3, 0, 0, 0 }).reshape(2, 3));
        double z = Math.E + Math.Exp(2) + Math.Exp(3);
        AssertClose(y, [2, 3], [Math.E / z, Math.Exp(2) / z, Math.Exp(3) / z, 1 / 3.0, 1 / 3.0, 1 / 3.0], 1e-9);
    }

    [Test]
    public void UnknownActivationListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Get("relu7"))!;
        Assert.That(e.Message, Does.Contain("relu7").And.Contain("hard_sigmoid").And.Contain("gelu"));
        Assert.Throws<ArgumentException>(() => Activations.Validate("Relu"));
    }
}
