using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class ActivationLayerTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    [Test]
    public void ReLUDefaultsAndOptions()
    {
        var x = T([-2f, -0.5f, 0f, 0.5f, 3f], 1, 5);
        AssertClose(new ReLU().Apply(x), [1, 5], [0, 0, 0, 0.5, 3]);
        // Keras's docstring example: max_value 10, negative_slope 0.5 on [-10, -5, 0, 5, 10] → [-5, -2.5, 0, 5, 10].
        AssertClose(new ReLU(maxValue: 10, negativeSlope: 0.5).Apply(T([-10, -5, 0, 5, 10], 1, 5)), [1, 5], [-5, -2.5, 0, 5, 10]);
        // threshold 1.5, slope 0.1, max 2: below the threshold 0.1·(x − 1.5); at it 0; above x, capped at 2.
        AssertClose(new ReLU(maxValue: 2, negativeSlope: 0.1, threshold: 1.5).Apply(T([-1, 1, 1.5f, 1.8f, 4], 1, 5)), [1, 5],
            [0.1 * (-1 - 1.5), 0.1 * (1 - 1.5), 0, 1.8, 2]);
        AssertClose(new ReLU(maxValue: 6).Apply(T([-1, 3, 7], 1, 3)), [1, 3], [0, 3, 6]);
        Assert.That(SymbolicShape(new ReLU(), 4, 5), Is.EqualTo(new int?[] { null, 4, 5 }));
        AssertRoundTrip(new ReLU(maxValue: 2, negativeSlope: 0.1, threshold: 1.5), x);
        AssertRoundTrip(new ReLU(), x);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(maxValue: -1))!.ParamName, Is.EqualTo("maxValue"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(negativeSlope: -0.1))!.ParamName, Is.EqualTo("negativeSlope"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(threshold: -1))!.ParamName, Is.EqualTo("threshold"));
    }

    [Test]
    public void LeakyReLUDefaultSlopeIsKeras3s()
    {
        var layer = new LeakyReLU();
        Assert.That(layer.NegativeSlope, Is.EqualTo(0.3));
        AssertClose(layer.Apply(T([-2, 0, 3], 1, 3)), [1, 3], [-0.6, 0, 3]);
        AssertClose(new LeakyReLU(0.5).Apply(T([-10, -5, 0, 5, 10], 1, 5)), [1, 5], [-5, -2.5, 0, 5, 10]);
        AssertRoundTrip(new LeakyReLU(0.1), T([-2, 0, 3], 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU(-0.1));
    }

    [Test]
    public void ELUComputesAlphaTimesExpm1()
    {
        var layer = new ELU(alpha: 2.0);
        // x < 0: 2 · (e^x − 1); x ≥ 0: x.
        AssertClose(layer.Apply(T([-1, 0, 2], 1, 3)), [1, 3], [2 * (Math.Exp(-1) - 1), 0, 2]);
        Assert.That(new ELU().Alpha, Is.EqualTo(1.0));
        AssertClose(new ELU().Apply(T([-3], 1, 1)), [1, 1], [Math.Exp(-3) - 1]);
        AssertRoundTrip(new ELU(alpha: 0.5), T([-1, 0, 2], 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ELU(double.NaN));
    }

    [Test]
    public void PReLUWeightsParamCountAndValues()
    {
        var full = new PReLU();
        full.Apply(Keras.Input([2, 3]));
        Assert.That(full.Alpha.KerasShape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(full.CountParams(), Is.EqualTo(6L), "one alpha per input value: 2 · 3");
        Assert.That(Values(full.GetWeights()[0]), Is.All.EqualTo(0.0), "alpha starts at zeros (Keras's default)");
        // Conv feature maps (None, 4, 4, 8) with sharedAxes [1, 2]: one alpha per channel → 8 params.
        var shared = new PReLU(sharedAxes: [1, 2]);
        Assert.That(SymbolicShape(shared, 4, 4, 8), Is.EqualTo(new int?[] { null, 4, 4, 8 }));
        Assert.That(shared.Alpha.KerasShape, Is.EqualTo(new long[] { 1, 1, 8 }));
        Assert.That(shared.CountParams(), Is.EqualTo(8L));

        var p = new PReLU(sharedAxes: [1]);
        p.Apply(torch.zeros(1, 2, 3));
        Assert.That(p.CountParams(), Is.EqualTo(3L));
        p.SetWeights([T([0.1f, 0.2f, 0.3f], 1, 3)]);
        // f(x) = x for x ≥ 0, alpha_c · x otherwise (alpha per last-axis index c, shared over axis 1).
        var x = T([-1, 2, -3, 4, -5, 0], 1, 2, 3);
        AssertClose(p.Apply(x), [1, 2, 3], [-0.1, 2, -0.9, 4, -1.0, 0]);
        AssertClose(p.Apply(x, training: true), [1, 2, 3], [-0.1, 2, -0.9, 4, -1.0, 0]);
    }

    [Test]
    public void PReLUGradientReachesAlpha()
    {
        var p = new PReLU(sharedAxes: [1]);
        var x = T([-1, 2, -3, 4, -5, 0], 1, 2, 3);
        p.Apply(x);
        Assert.That(p.TrainableWeights, Has.Count.EqualTo(1));
        p.Apply(x, training: true).sum().backward();
        var grad = p.Alpha.Value.grad;
        Assert.That(grad, Is.Not.Null);
        // d Σf / d alpha_c = Σ over negative x in channel c of x: c0: -1 (and 4 ≥ 0) → -1; c1: 2, -5 → -5; c2: -3, 0 → -3.
        AssertClose(grad!, [1, 3], [-1, -5, -3]);
    }

    [Test]
    public void PReLUConfigAndBadInput()
    {
        var p = new PReLU(alphaInitializer: "ones", sharedAxes: [1]);
        var x = T([-1, 2, -3, 4, -5, 0], 1, 2, 3);
        var cfg = p.GetConfig();
        Assert.That(cfg["alpha_initializer"], Is.EqualTo("ones"));
        Assert.That(cfg["shared_axes"], Is.EqualTo(new[] { 1 }));
        var copy = (PReLU)AssertRoundTrip(p, x);
        Assert.That(copy.CountParams(), Is.EqualTo(3L));
        Assert.That(Assert.Throws<ArgumentException>(() => new PReLU(sharedAxes: [0]))!.ParamName, Is.EqualTo("sharedAxes"));
        var ex = Assert.Throws<ArgumentException>(() => new PReLU(sharedAxes: [3], name: "pr").Apply(Keras.Input([2, 3])))!;
        Assert.That(ex.Message, Does.Contain("pr").And.Contain("sharedAxes"));
        var unknown = Assert.Throws<ArgumentException>(() => new PReLU(name: "pu").Apply(Keras.Input(new int?[] { null, 3 })))!;
        Assert.That(unknown.Message, Does.Contain("pu").And.Contain("axis 1"));
        var built = new PReLU(name: "pb");
        built.Apply(torch.zeros(1, 2, 3));
        var ex2 = Assert.Throws<ArgumentException>(() => built.Apply(torch.zeros(1, 2, 4)))!;
        Assert.That(ex2.Message, Does.Contain("pb").And.Contain("(1, 2, 4)"));
    }

    [Test]
    public void SoftmaxNormalizesAndMasks()
    {
        // Keras's docstring example: softmax([1, 2, 1]) = [0.21194157, 0.5761169, 0.21194157].
        AssertClose(new Softmax().Apply(T([1, 2, 1], 1, 3)), [1, 3], [0.21194157, 0.5761169, 0.21194157]);
        double s = Math.E + Math.Exp(3);
        // Masked position 1 gets 0, the rest renormalize: [e/(e+e³), 0, e³/(e+e³)].
        var x = T([1, 2, 3], 1, 3);
        var mask = torch.tensor(new[] { true, false, true }).reshape(1, 3);
        AssertClose(new Softmax().Apply(x, mask), [1, 3], [Math.E / s, 0, Math.Exp(3) / s]);
        // A 0/1 float mask works the same (> 0.5 keeps), and an all-masked row is all zeros.
        var two = T([1, 2, 3, 1, 2, 3], 2, 3);
        AssertClose(new Softmax().Apply(two, T([1, 0, 1, 0, 0, 0], 2, 3)), [2, 3], [Math.E / s, 0, Math.Exp(3) / s, 0, 0, 0]);
        // A mask broadcasts from the right: (3,) applies to every row.
        AssertClose(new Softmax().Apply(two, torch.tensor(new[] { false, true, true })), [2, 3],
            [0, Math.Exp(2) / (Math.Exp(2) + Math.Exp(3)), Math.Exp(3) / (Math.Exp(2) + Math.Exp(3)),
             0, Math.Exp(2) / (Math.Exp(2) + Math.Exp(3)), Math.Exp(3) / (Math.Exp(2) + Math.Exp(3))]);
        // The mask attached by a previous layer (Embedding with maskZero) is used too, and passed on.
        var y = x.clone();
        Layer.SetMask(y, mask);
        var o = new Softmax().Apply(y);
        AssertClose(o, [1, 3], [Math.E / s, 0, Math.Exp(3) / s]);
        Assert.That(Layer.GetMask(o), Is.Not.Null);
        var ex = Assert.Throws<ArgumentException>(() => new Softmax(name: "sm").Apply(two, torch.ones(2, 2)))!;
        Assert.That(ex.Message, Does.Contain("sm").And.Contain("(2, 2)").And.Contain("(2, 3)"));
    }

    [Test]
    public void SoftmaxAxes()
    {
        // Axis 1 of a (1, 2, 2): columns [1, 3] and [2, 4] each normalize to [1/(1+e²), e²/(1+e²)].
        double a = 1 / (1 + Math.Exp(2)), b = Math.Exp(2) / (1 + Math.Exp(2));
        var x = T([1, 2, 3, 4], 1, 2, 2);
        AssertClose(new Softmax(axis: 1).Apply(x), [1, 2, 2], [a, a, b, b]);
        // Axes [1, 2]: the whole sample sums to 1: e^k / (e + e² + e³ + e⁴).
        double z = Math.E + Math.Exp(2) + Math.Exp(3) + Math.Exp(4);
        AssertClose(new Softmax([1, 2]).Apply(x), [1, 2, 2], [Math.E / z, Math.Exp(2) / z, Math.Exp(3) / z, Math.Exp(4) / z]);
        Assert.That(SymbolicShape(new Softmax(axis: 1), 2, 2), Is.EqualTo(new int?[] { null, 2, 2 }));
        AssertRoundTrip(new Softmax(axis: 1), x);
        AssertRoundTrip(new Softmax([1, 2]), x);
        var ex = Assert.Throws<ArgumentException>(() => new Softmax(axis: 3, name: "sx").Apply(x))!;
        Assert.That(ex.Message, Does.Contain("sx").And.Contain("axis (3)").And.Contain("rank 3"));
    }
}
