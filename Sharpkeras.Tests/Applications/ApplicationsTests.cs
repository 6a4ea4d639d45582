using System.Diagnostics;
using NUnit.Framework;
using Sharpkeras.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Applications;

/// <summary>The classic networks: parameter counts equal the published references; construction is fast; small ones train.</summary>
public class ApplicationsTests
{
    private static long Trainable(Model m) => m.TrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b));

    private static Model Timed(Func<Model> build, string name)
    {
        var sw = Stopwatch.StartNew();
        var m = build();
        TestContext.Out.WriteLine($"{name}: built in {sw.Elapsed.TotalSeconds:F2}s, {m.CountParams():N0} params");
        // Construction time is reported, never asserted: on a loaded machine it swings 10-50x (speed lives in bench/).
        return m;
    }

    [Test]
    public void LeNet5Has61706Params()
    {
        // conv1 5*5*1*6+6 = 156 ; conv2 5*5*6*16+16 = 2,416 ; dense 400*120+120 = 48,120 ; 120*84+84 = 10,164 ; 84*10+10 = 850
        using var m = Sharpkeras.Applications.LeNet5();
        Assert.That(m.CountParams(), Is.EqualTo(156 + 2416 + 48120 + 10164 + 850));
        Assert.That(m.CountParams(), Is.EqualTo(61706));
    }

    [Test]
    public void VGG16MatchesKeras()
    {
        using var m = Timed(() => Sharpkeras.Applications.VGG16(), "VGG16");
        Assert.That(m.CountParams(), Is.EqualTo(138_357_544));
        Assert.That(m.OutputShape, Is.EqualTo(new int?[] { null, 1000 }));
    }

    [Test]
    public void VGG19MatchesKeras()
    {
        using var m = Timed(() => Sharpkeras.Applications.VGG19(), "VGG19");
        Assert.That(m.CountParams(), Is.EqualTo(143_667_240));
    }

    [Test]
    public void VGG16WithoutTopOnSmallImages()
    {
        using var m = Sharpkeras.Applications.VGG16(includeTop: false, inputShape: [64, 64, 3]);
        // 14,714,688 = VGG16's convolutional base (Keras's include_top=False count)
        Assert.That(m.CountParams(), Is.EqualTo(14_714_688));
        Assert.That(m.OutputShape, Is.EqualTo(new int?[] { null, 2, 2, 512 }));
    }

    [Test]
    public void ResNet50MatchesKeras()
    {
        using var m = Timed(() => Sharpkeras.Applications.ResNet50(), "ResNet50");
        Assert.That(m.CountParams(), Is.EqualTo(25_636_712));
        Assert.That(m.NonTrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b)), Is.EqualTo(53_120));
    }

    [Test]
    public void InceptionV3MatchesKeras()
    {
        using var m = Timed(() => Sharpkeras.Applications.InceptionV3(), "InceptionV3");
        Assert.That(m.CountParams(), Is.EqualTo(23_851_784));
        Assert.That(m.OutputShape, Is.EqualTo(new int?[] { null, 1000 }));
    }

    [Test]
    public void AlexNetMatchesTorchvision()
    {
        using var m = Timed(() => Sharpkeras.Applications.AlexNet(), "AlexNet");
        Assert.That(m.CountParams(), Is.EqualTo(61_100_840));
    }

    [Test]
    public void ResNet18MatchesTorchvisionTrainableCount()
    {
        using var m = Timed(() => Sharpkeras.Applications.ResNet18(), "ResNet18");
        Assert.That(Trainable(m), Is.EqualTo(11_689_512));
    }

    [Test]
    public void GoogLeNetMatchesTorchvisionTrainableCount()
    {
        using var m = Timed(() => Sharpkeras.Applications.GoogLeNet(), "GoogLeNet");
        Assert.That(Trainable(m), Is.EqualTo(6_624_904));
    }

    [Test]
    public void SmallResNetAndInceptionRunForward()
    {
        using var r = Sharpkeras.Applications.ResNet18(inputShape: [32, 32, 3], classes: 10);
        Assert.That(r.Predict(torch.rand(2, 32, 32, 3), verbose: 0).shape, Is.EqualTo(new long[] { 2, 10 }));
        using var g = Sharpkeras.Applications.GoogLeNet(inputShape: [64, 64, 3], classes: 5);
        Assert.That(g.Predict(torch.rand(2, 64, 64, 3), verbose: 0).shape, Is.EqualTo(new long[] { 2, 5 }));
    }

    [Test]
    public void TransformerClassifierTrains()
    {
        Keras.Config.Seed(2);
        using var m = Sharpkeras.Applications.TransformerClassifier(vocabSize: 50, maxLen: 8, embedDim: 16, numHeads: 2, ffDim: 16, numClasses: 2);
        var x = torch.randint(1, 50, [64, 8], dtype: ScalarType.Int64);
        // label = whether token 7 occurs: learnable from the embeddings
        var y = x.eq(7).any(1).to(ScalarType.Int64);
        m.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.01), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var h = m.Fit(x, y, batchSize: 16, epochs: 8, verbose: 0);
        Assert.That(h["loss"][^1], Is.LessThan(h["loss"][0]));
    }

    [Test]
    public void DCGANTrainsOnMnistAndGeneratesImagesInRange()
    {
        Keras.Config.Seed(3);
        var ((x, _), _) = Mnist.LoadData();
        var images = x[..128].to(ScalarType.Float32).div(127.5f).sub(1f).unsqueeze(-1);
        using var gan = Sharpkeras.Applications.DCGAN(latentDim: 16);
        gan.Compile(dOptimizer: new Sharpkeras.Optimizers.Adam(learningRate: 2e-4, beta1: 0.5), gOptimizer: new Sharpkeras.Optimizers.Adam(learningRate: 2e-4, beta1: 0.5));
        var g0 = gan.Generator.GetWeights().Select(t => t.clone()).ToList();
        var d0 = gan.Discriminator.GetWeights().Select(t => t.clone()).ToList();
        var h = gan.Fit(images, batchSize: 32, epochs: 2, verbose: 0);
        Assert.That(h["d_loss"].All(double.IsFinite) && h["g_loss"].All(double.IsFinite), Is.True);
        Assert.That(h["d_loss"][1], Is.Not.EqualTo(h["d_loss"][0]));
        Assert.That(h["g_loss"][1], Is.Not.EqualTo(h["g_loss"][0]));
        Assert.That(gan.Generator.GetWeights().Zip(g0).Any(p => !Kit.Same(p.First, p.Second)), Is.True, "generator weights moved");
        Assert.That(gan.Discriminator.GetWeights().Zip(d0).Any(p => !Kit.Same(p.First, p.Second)), Is.True, "discriminator weights moved");
        var generated = gan.Predict(torch.randn(4, 16), verbose: 0);
        Assert.That(generated.shape, Is.EqualTo(new long[] { 4, 28, 28, 1 }));
        Assert.That(generated.min().item<float>(), Is.GreaterThanOrEqualTo(-1f));
        Assert.That(generated.max().item<float>(), Is.LessThanOrEqualTo(1f));
    }

    [Test]
    public void BadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sharpkeras.Applications.VGG16(classes: 0));
        var ex = Assert.Throws<ArgumentException>(() => Sharpkeras.Applications.ResNet50(inputShape: [224, 224]));
        Assert.That(ex!.Message, Does.Contain("inputShape"));
    }
}
