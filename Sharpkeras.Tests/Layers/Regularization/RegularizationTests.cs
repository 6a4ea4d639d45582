using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class RegularizationTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    [Test]
    public void SpatialDropout1DDropsWholeChannels()
    {
        var layer = new SpatialDropout1D(0.5, seed: 3);
        var x = torch.ones(4, 5, 6);
        Assert.That(SymbolicShape(new SpatialDropout1D(0.5), 5, 6), Is.EqualTo(new int?[] { null, 5, 6 }));
        Assert.That(Same(layer.Apply(x), x), Is.True, "identity at inference");
        var y = layer.Apply(x, training: true);
        Assert.That(y.shape, Is.EqualTo(x.shape));
        // Kept values are scaled by 1 / (1 − 0.5) = 2; dropped ones are 0.
        var v = Values(y);
        Assert.That(v, Is.All.EqualTo(0.0).Or.EqualTo(2.0));
        // Every (sample, channel) is constant over the 5 steps: the whole feature map is kept or dropped.
        var perChannel = y.amax(1) - y.amin(1);
        Assert.That(perChannel.abs().max().item<float>(), Is.EqualTo(0f));
        int dropped = v.Count(a => a == 0) / 5, total = 4 * 6;
        Assert.That(dropped, Is.InRange(3, total - 3), "about half of the 24 channels dropped");
        // The seed makes masks reproducible.
        var again = new SpatialDropout1D(0.5, seed: 3).Apply(x, training: true);
        Assert.That(Same(again, y), Is.True);
        AssertRoundTrip(new SpatialDropout1D(0.25, seed: 7), x);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout1D(1.0))!.ParamName, Is.EqualTo("rate"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout1D(-0.1));
        var ex = Assert.Throws<ArgumentException>(() => new SpatialDropout1D(0.5, name: "sd").Apply(torch.ones(2, 3)))!;
        Assert.That(ex.Message, Does.Contain("sd").And.Contain("rank 3"));
    }

    [Test]
    public void SpatialDropout2DDropsWholeFeatureMaps()
    {
        var x = torch.ones(3, 4, 4, 8);
        var y = new SpatialDropout2D(0.4, seed: 11).Apply(x, training: true);
        var v = Values(y);
        Assert.That(v, Is.All.EqualTo(0.0).Or.EqualTo(1 / 0.6).Within(1e-6));
        // channels_last: constant over rows and columns for each (sample, channel).
        var spread = y.amax([1, 2]) - y.amin([1, 2]);
        Assert.That(spread.abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That(y.amax([1, 2]).eq(0).any().item<bool>() && y.amax([1, 2]).gt(0).any().item<bool>(), Is.True, "some maps kept, some dropped");
        var cf = new SpatialDropout2D(0.5, dataFormat: "channels_first", seed: 5);
        var z = cf.Apply(torch.ones(3, 8, 4, 4), training: true);
        Assert.That((z.amax([2, 3]) - z.amin([2, 3])).abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That(Same(cf.Apply(x), x), Is.True, "identity at inference");
        Assert.That(cf.GetConfig()["data_format"], Is.EqualTo("channels_first"));
        AssertRoundTrip(new SpatialDropout2D(0.3, dataFormat: "channels_first", seed: 2), torch.ones(2, 3, 2, 2));
        Assert.Throws<ArgumentException>(() => new SpatialDropout2D(0.5, name: "sd2").Apply(torch.ones(2, 3, 4)));
    }

    [Test]
    public void GaussianNoiseAddsNoiseOnlyInTraining()
    {
        var x = torch.zeros(2000, 10);
        var layer = new GaussianNoise(0.5, seed: 1);
        Assert.That(Same(layer.Apply(x), x), Is.True, "identity at inference");
        var y = layer.Apply(x, training: true);
        // Zero-centered noise of standard deviation 0.5 over 20000 samples.
        Assert.That(y.mean().item<float>(), Is.EqualTo(0).Within(0.02));
        Assert.That(y.std().item<float>(), Is.EqualTo(0.5).Within(0.02));
        var again = new GaussianNoise(0.5, seed: 1).Apply(x, training: true);
        Assert.That(Same(again, y), Is.True, "seeded noise is reproducible");
        Assert.That(SymbolicShape(new GaussianNoise(0.5), 3, 4), Is.EqualTo(new int?[] { null, 3, 4 }));
        AssertRoundTrip(new GaussianNoise(0.1, seed: 4), torch.ones(2, 3));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(1.5))!.ParamName, Is.EqualTo("stddev"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise(-0.1));
    }

    [Test]
    public void ActivityRegularizationAddsThePenaltyPerSample()
    {
        var layer = new ActivityRegularization(l1: 0.1, l2: 0.01);
        var x = T([1, -2, 3, 0], 2, 2);
        var y = layer.Apply(x);
        Assert.That(Same(y, x), Is.True, "passes the input through");
        var losses = layer.ActivityLosses.ToList();
        Assert.That(losses, Has.Count.EqualTo(1));
        // (0.1 · (1 + 2 + 3 + 0) + 0.01 · (1 + 4 + 9 + 0)) / batch 2 = (0.6 + 0.14) / 2 = 0.37.
        Assert.That(losses[0].item<float>(), Is.EqualTo(0.37).Within(1e-6));
        Assert.That(SymbolicShape(layer, 2), Is.EqualTo(new int?[] { null, 2 }));
        AssertRoundTrip(new ActivityRegularization(l1: 0.1, l2: 0.01), x);
        layer.ActivityLosses.ToList();
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ActivityRegularization(l1: -1))!.ParamName, Is.EqualTo("l1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ActivityRegularization(l2: double.NaN))!.ParamName, Is.EqualTo("l2"));
    }

    [Test]
    public void ActivityRegularizationPenaltyReachesTheModelLoss()
    {
        Keras.Config.Seed(0);
        // y == x, so the mse part is 0 and the loss is the penalty alone: 0.5 · Σ|x| / batch = 0.5 · 6 / 2 = 1.5.
        var model = new Sequential(new ActivityRegularization(l1: 0.5, inputShape: [2]));
        model.Compile(optimizer: "sgd", loss: "mse");
        var x = T([1, -2, 3, 0], 2, 2);
        var scores = model.Evaluate(x, x, batchSize: 2, verbose: 0);
        Assert.That(scores["loss"], Is.EqualTo(1.5).Within(1e-6));
    }
}
