using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersPreprocessing.PreprocessingTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>The contract every random augmentation layer keeps: seeded, per-sample, identity at inference, both data formats.</summary>
public class RandomLayerContractTests
{
    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    private static readonly (string name, Func<int, string?, Layer> make)[] Layers =
    [
        ("RandomFlip", (s, f) => new RandomFlip(seed: s, dataFormat: f)),
        ("RandomRotation", (s, f) => new RandomRotation(0.3, seed: s, dataFormat: f)),
        ("RandomZoom", (s, f) => new RandomZoom(0.3, 0.3, seed: s, dataFormat: f)),
        ("RandomTranslation", (s, f) => new RandomTranslation(0.3, 0.3, seed: s, dataFormat: f)),
        ("RandomContrast", (s, f) => new RandomContrast(0.5, seed: s, dataFormat: f)),
        ("RandomBrightness", (s, f) => new RandomBrightness(0.3, seed: s, dataFormat: f)),
        ("RandomCrop", (s, f) => new RandomCrop(5, 6, seed: s, dataFormat: f)),
    ];

    private static IEnumerable<string> Names => Layers.Select(l => l.name);

    private static Func<int, string?, Layer> Make(string name) => Layers.Single(l => l.name == name).make;

    [TestCaseSource(nameof(Names))]
    public void SeededPerSampleAndIdentityAtInference(string name)
    {
        var image = torch.rand(new long[] { 8, 9, 3 }, generator: new Generator(1)) * 255;
        var batch = Copies(image, 12);
        var y = Make(name)(5, null).Apply(batch, training: true);
        Assert.That(Vals(Make(name)(5, null).Apply(batch, training: true)), Is.EqualTo(Vals(y)).Within(1e-5), "same seed, same result");
        Assert.That(Vals(Make(name)(6, null).Apply(batch, training: true)), Is.Not.EqualTo(Vals(y)), "another seed, another result");
        Assert.That(DistinctImages(y), Is.GreaterThanOrEqualTo(2), "samples of one batch get different transformations");
        var layer = Make(name)(5, null);
        var first = layer.Apply(batch, training: true);
        var second = layer.Apply(batch, training: true);
        Assert.That(Vals(second), Is.Not.EqualTo(Vals(first)), "each call draws new transformations");
        if (name == "RandomCrop")
            Assert.That(layer.Apply(batch).shape, Is.EqualTo(new long[] { 12, 5, 6, 3 }));
        else
        {
            Assert.That(y.shape, Is.EqualTo(batch.shape));
            Assert.That(Vals(layer.Apply(batch)), Is.EqualTo(Vals(batch)), "identity at inference");
        }
    }

    [TestCaseSource(nameof(Names))]
    public void ChannelsFirstMatchesChannelsLast(string name)
    {
        var batch = torch.rand(new long[] { 4, 8, 9, 3 }, generator: new Generator(2)) * 255;
        var last = Make(name)(9, "channels_last").Apply(batch, training: true);
        var first = Make(name)(9, "channels_first").Apply(batch.permute(0, 3, 1, 2).contiguous(), training: true);
        Assert.That(Vals(first.permute(0, 2, 3, 1)), Is.EqualTo(Vals(last)).Within(1e-3));
    }

    [TestCaseSource(nameof(Names))]
    public void UnbatchedImageAndSymbolicShape(string name)
    {
        var one = Make(name)(3, null).Apply(torch.rand(8, 9, 3), training: true);
        Assert.That(one.shape, Is.EqualTo(name == "RandomCrop" ? new long[] { 5, 6, 3 } : new long[] { 8, 9, 3 }));
        var y = Make(name)(3, null).Apply(Keras.Input([8, 9, 3]));
        Assert.That(y.Shape, Is.EqualTo(name == "RandomCrop" ? new int?[] { null, 5, 6, 3 } : new int?[] { null, 8, 9, 3 }));
        Assert.That(Make(name)(3, null).CountParams(), Is.EqualTo(0));
    }
}
