using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>GaussianDropout, AlphaDropout and SpatialDropout3D against Keras's definitions.</summary>
public class NoiseDropoutTests
{
    [Test]
    public void GaussianDropoutMultipliesByUnitMeanNoise()
    {
        var x = torch.ones(20000);
        var layer = new GaussianDropout(0.2, seed: 5);
        Assert.That(Same(layer.Apply(x), x), Is.True, "identity at inference");
        var y = layer.Apply(x, training: true);
        // Noise N(1, rate/(1 − rate) = 0.25): mean 1, std 0.5 (20 000 draws: ±0.02 is > 5 standard errors).
        Assert.That(y.mean().item<float>(), Is.EqualTo(1.0).Within(0.02));
        Assert.That(y.std().item<float>(), Is.EqualTo(0.5).Within(0.02));
        AssertRoundTrip(new GaussianDropout(0.3, seed: 1), x);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianDropout(1.5))!.ParamName, Is.EqualTo("rate"));
    }

    [Test]
    public void AlphaDropoutKeepsOrSaturatesThenMapsAffinely()
    {
        // rate .5: α' = −1.7580993408473766; a = ((1 − .5)(1 + .5·α'²))^−½; b = −a·α'·.5.
        double alphaP = -1.6732632423543772 * 1.0507009873554805, rate = 0.5;
        double a = Math.Pow((1 - rate) * (1 + rate * alphaP * alphaP), -0.5), b = -a * alphaP * rate;
        var x = torch.full(1000, 2f);
        var layer = new AlphaDropout(rate, seed: 3);
        Assert.That(Same(layer.Apply(x), x), Is.True, "identity at inference");
        var y = layer.Apply(x, training: true).data<float>().ToArray();
        double kept = a * 2 + b, dropped = a * alphaP + b;
        Assert.That(y.All(v => Math.Abs(v - kept) < 1e-5 || Math.Abs(v - dropped) < 1e-5), Is.True);
        Assert.That(y.Count(v => Math.Abs(v - kept) < 1e-5), Is.InRange(400, 600));
        // noiseShape (null, 1): one decision per row.
        var rows = new AlphaDropout(rate, noiseShape: [null, 1], seed: 4).Apply(torch.full(50, 8, 2f), training: true);
        var rowMin = rows.amin([1L]);
        var rowMax = rows.amax([1L]);
        Assert.That(Same(rowMin, rowMax), Is.True);
        AssertRoundTrip(new AlphaDropout(0.1, noiseShape: [null, 1], seed: 2), torch.ones(2, 3));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new AlphaDropout(-0.1))!.ParamName, Is.EqualTo("rate"));
        Assert.That(Assert.Throws<ArgumentException>(() => new AlphaDropout(0.1, noiseShape: [0]))!.ParamName, Is.EqualTo("noiseShape"));
    }

    [Test]
    public void SpatialDropout3DDropsWholeChannels()
    {
        var x = torch.ones(new long[] { 4, 2, 2, 2, 6 });
        var y = new SpatialDropout3D(0.5, seed: 7).Apply(x, training: true);
        // Each (sample, channel) is all 0 or all 2.
        var perChannel = y.permute(0, 4, 1, 2, 3).reshape(24, 8);
        Assert.That(Same(perChannel.amin([1L]), perChannel.amax([1L])), Is.True);
        Assert.That(perChannel.amax([1L]).data<float>().All(v => v == 0 || v == 2), Is.True);
        var first = new SpatialDropout3D(0.5, dataFormat: "channels_first", seed: 7).Apply(torch.ones(new long[] { 4, 6, 2, 2, 2 }), training: true).reshape(24, 8);
        Assert.That(Same(first.amin([1L]), first.amax([1L])), Is.True);
        AssertRoundTrip(new SpatialDropout3D(0.2, dataFormat: "channels_first"), torch.ones(new long[] { 1, 2, 2, 2, 2 }));
        Assert.Throws<ArgumentException>(() => new SpatialDropout3D(0.5).Apply(torch.ones(2, 3, 4), training: true));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout3D(1))!.ParamName, Is.EqualTo("rate"));
    }
}
