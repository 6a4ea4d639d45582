using NUnit.Framework;
using Sharpkeras.Losses;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;

namespace Sharpkeras.Tests.LossTests;

/// <summary>The argument handling the cross-entropy losses and metrics share: one validation, one config shape.</summary>
public class CrossentropyOptionsTests
{
    [Test]
    public void EveryCrossentropyRejectsLabelSmoothingOutsideZeroOne()
    {
        Action[] makers =
        [
            () => new BinaryCrossentropy(labelSmoothing: 1.5),
            () => new CategoricalCrossentropy(labelSmoothing: -0.1),
            () => new BinaryFocalCrossentropy(labelSmoothing: double.NaN),
            () => new CategoricalFocalCrossentropy(labelSmoothing: 2),
            () => new Sharpkeras.Metrics.BinaryCrossentropy(labelSmoothing: 1.01),
            () => new Sharpkeras.Metrics.CategoricalCrossentropy(labelSmoothing: -1),
            () => Sharpkeras.Losses.Losses.BinaryCrossentropy(T(1), T(0.5), labelSmoothing: 3),
            () => Sharpkeras.Losses.Losses.CategoricalCrossentropy(T(1), T(0.5), labelSmoothing: -3),
        ];
        foreach (var make in makers)
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => make())!.ParamName, Is.EqualTo("labelSmoothing"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFocalCrossentropy(alpha: 1.5))!.ParamName, Is.EqualTo("alpha"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(gamma: -1))!.ParamName, Is.EqualTo("gamma"));
    }

    [Test]
    public void ConfigsKeepKerasKeysAndRoundTrip()
    {
        var b = RoundTrip(new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2, axis: 0), l => l.GetConfig());
        Assert.That((b.FromLogits, b.LabelSmoothing, b.Axis), Is.EqualTo((true, 0.2, 0)));
        var c = RoundTrip(new CategoricalFocalCrossentropy(alpha: 0.5, gamma: 1, fromLogits: true, labelSmoothing: 0.1, axis: 1), l => l.GetConfig());
        Assert.That((c.Alpha, c.Gamma, c.FromLogits, c.LabelSmoothing, c.Axis), Is.EqualTo((0.5, 1.0, true, 0.1, 1)));
        var m = RoundTrip(new Sharpkeras.Metrics.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.3), x => x.GetConfig());
        Assert.That((m.FromLogits, m.LabelSmoothing), Is.EqualTo((true, 0.3)));
        Assert.That(m.GetConfig().ContainsKey("axis"), Is.False); // Keras's BinaryCrossentropy metric takes no axis
        var mc = RoundTrip(new Sharpkeras.Metrics.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.3, axis: 0), x => x.GetConfig());
        Assert.That((mc.FromLogits, mc.LabelSmoothing, mc.Axis), Is.EqualTo((true, 0.3, 0)));
        // The metric and the loss give the same numbers: smoothing 0.2 turns label 1 into 0.9 → −(0.9·log .8 + .1·log .2).
        var lossValue = new BinaryCrossentropy(labelSmoothing: 0.2, reduction: "none").Call(T2(new double[,] { { 1 } }), T2(new double[,] { { 0.8 } }));
        Close(lossValue, [-(0.9 * Math.Log(0.8) + 0.1 * Math.Log(0.2))]);
    }
}
