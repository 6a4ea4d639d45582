using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>Models built from this area's layers survive Model.Save / Model.Load with their weights and behaviour.</summary>
public class SaveLoadMiscTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        _dir = Path.Combine(Path.GetTempPath(), "sk_misc_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void SequentialOfReshapingActivationAndRegularizationLayersRoundTrips()
    {
        Keras.Config.Seed(3);
        var model = new Sequential(
            new Reshape([3, 4], inputShape: [12]),
            new Permute([2, 1]),
            new ZeroPadding1D((1, 2)),
            new UpSampling1D(2),
            new Cropping1D((1, 1)),
            new PReLU(alphaInitializer: "ones", sharedAxes: [1]),
            new ReLU(maxValue: 6, negativeSlope: 0.1),
            new LeakyReLU(0.2),
            new ELU(0.5),
            new SpatialDropout1D(0.3, seed: 1),
            new GaussianNoise(0.1, seed: 2),
            new ActivityRegularization(l1: 0.01),
            new Identity(),
            new Flatten(),
            new RepeatVector(2),
            new Softmax(axis: 1));
        var x = torch.randn(4, 12);
        var before = model.Predict(x, verbose: 0);
        var path = Path.Combine(_dir, "misc.skeras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.That(loaded.CountParams(), Is.EqualTo(model.CountParams()));
        Assert.That(loaded.Layers.Select(l => l.GetType()), Is.EqualTo(model.Layers.Select(l => l.GetType())));
        Assert.That(Values(loaded.Predict(x, verbose: 0)), Is.EqualTo(Values(before)).Within(1e-6));
    }

    [Test]
    public void SequentialOf2DReshapingLayersRoundTrips()
    {
        Keras.Config.Seed(5);
        var model = new Sequential(
            new ZeroPadding2D(((1, 2), (0, 3)), inputShape: [4, 5, 2]),
            new Cropping2D(((0, 1), (2, 1))),
            new UpSampling2D((2, 1), interpolation: "bilinear"),
            new ZeroPadding2D((1, 0)),
            new UpSampling2D(2),
            new Cropping2D(1),
            new SpatialDropout2D(0.2, seed: 3),
            new Softmax([1, 2]));
        var x = torch.randn(2, 4, 5, 2);
        var before = model.Predict(x, verbose: 0);
        var path = Path.Combine(_dir, "misc2d.skeras");
        model.Save(path);
        var loaded = Model.Load(path);
        var zp = (ZeroPadding2D)loaded.Layers[0];
        Assert.That(zp.Padding, Is.EqualTo(((1, 2), (0, 3))));
        Assert.That(((UpSampling2D)loaded.Layers[2]).Interpolation, Is.EqualTo("bilinear"));
        Assert.That(Values(loaded.Predict(x, verbose: 0)), Is.EqualTo(Values(before)).Within(1e-6));
    }

    [Test]
    public void FunctionalModelWithMergesRoundTrips()
    {
        Keras.Config.Seed(4);
        var a = Keras.Input([2, 3]);
        var b = Keras.Input([2, 3]);
        var shared = new Dense(3);
        var ha = shared.Apply(a);
        var hb = shared.Apply(b);
        var merged = new Concatenate(axis: 1).Apply(new Add().Apply(ha, hb), new Subtract().Apply(ha, hb),
            new Multiply().Apply(ha, hb), new Average().Apply(ha, hb), new Maximum().Apply(ha, hb), new Minimum().Apply(ha, hb));
        var dot = new Dot(axes: (1, 1), normalize: true).Apply(merged, merged);
        var model = new Model([a, b], [dot]);
        var xa = torch.randn(3, 2, 3);
        var xb = torch.randn(3, 2, 3);
        var before = model.Predict([xa, xb], verbose: 0)[0];
        var path = Path.Combine(_dir, "merge.skeras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.That(Values(loaded.Predict([xa, xb], verbose: 0)[0]), Is.EqualTo(Values(before)).Within(1e-6));
    }
}
