using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>LayerNormalization's deprecated rmsScaling and the RMSNormalization layer, against Keras's formulas worked by hand.</summary>
public class RMSNormalizationTests
{
    [Test]
    public void LayerNormalizationRmsScalingDividesByTheVarianceOnly()
    {
        // x = (1, 2, 3, 4): var = 1.25, no centering: x / sqrt(1.25 + 1e-3) · gamma (ones); no beta.
        var layer = new LayerNormalization(rmsScaling: true);
        var x = T([1f, 2f, 3f, 4f], 1, 4);
        double s = Math.Sqrt(1.25 + 1e-3);
        AssertClose(layer.Apply(x), [1 / s, 2 / s, 3 / s, 4 / s]);
        Assert.That(layer.Variables.Select(v => v.Name), Is.EqualTo(new[] { "gamma" }));
        layer.SetWeights([torch.tensor(new float[] { 2, 1, 1, 1 })]);
        AssertClose(layer.Apply(x), [2 / s, 2 / s, 3 / s, 4 / s]);
        // Even with scale: false gamma exists, and center: true adds no beta (Keras builds them so).
        var noScale = new LayerNormalization(scale: false, center: true, rmsScaling: true);
        noScale.Apply(x);
        Assert.That(noScale.Variables.Select(v => v.Name), Is.EqualTo(new[] { "gamma" }));
        // Over several (non-trailing) axes too.
        var multi = new LayerNormalization(axis: [1], rmsScaling: true);
        var y = T([1f, 10f, 3f, 30f], 1, 2, 2); // axis 1 pairs (1, 3) and (10, 30): variances 1 and 100
        AssertClose(multi.Apply(y), [1 / Math.Sqrt(1.001), 10 / Math.Sqrt(100.001), 3 / Math.Sqrt(1.001), 30 / Math.Sqrt(100.001)]);
        var back = (LayerNormalization)AssertRoundTrip(new LayerNormalization(epsilon: 0.01, rmsScaling: true), x);
        Assert.That(back.RmsScaling, Is.True);
        Assert.That(layer.GetConfig()["rms_scaling"], Is.EqualTo(true));
    }

    [Test]
    public void RMSNormalizationByHand()
    {
        // mean(x²) = (1 + 4 + 9 + 16)/4 = 7.5 → x · rsqrt(7.5 + 1e-6) · scale.
        var layer = new RMSNormalization();
        var x = T([1f, 2f, 3f, 4f], 1, 4);
        double r = 1 / Math.Sqrt(7.5 + 1e-6);
        AssertClose(layer.Apply(x), [r, 2 * r, 3 * r, 4 * r]);
        Assert.That(layer.Variables.Select(v => (v.Name, v.KerasShape.Single())), Is.EqualTo(new[] { ("scale", 4L) }));
        layer.SetWeights([torch.tensor(new float[] { 1, 2, 1, 0.5f })]);
        AssertClose(layer.Apply(x), [r, 4 * r, 3 * r, 2 * r]);
        // Two axes: all entries 2 → rms 2 → ones.
        var both = new RMSNormalization(axis: [1, 2]);
        AssertClose(both.Apply(torch.full(1, 2, 3, 2f)), Enumerable.Repeat(1.0 / Math.Sqrt(1 + 0.25e-6), 6).ToArray(), 1e-6);
        Assert.That(both.Variables[0].KerasShape, Is.EqualTo(new long[] { 2, 3 }));
        var back = (RMSNormalization)AssertRoundTrip(new RMSNormalization(axis: -1, epsilon: 1e-3), x);
        Assert.That(back.Epsilon, Is.EqualTo(1e-3));
        Assert.That(SymbolicShape(new RMSNormalization(), 3, 5), Is.EqualTo(new int?[] { null, 3, 5 }));
        Assert.That(Assert.Throws<ArgumentException>(() => new RMSNormalization(axis: Array.Empty<int>()))!.ParamName, Is.EqualTo("axis"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new RMSNormalization(epsilon: -1))!.ParamName, Is.EqualTo("epsilon"));
        Assert.Throws<ArgumentException>(() => new RMSNormalization(axis: 0).Apply(x));
        Assert.Throws<ArgumentException>(() => new RMSNormalization(axis: 3).ComputeOutputShape([null, 4]));
    }
}
