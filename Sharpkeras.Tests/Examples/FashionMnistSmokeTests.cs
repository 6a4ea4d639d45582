using NUnit.Framework;
using Sharpkeras.Examples.FashionMnist;

namespace Sharpkeras.Tests.Examples;

/// <summary>
/// The Fashion-MNIST example end to end on a few hundred generated images (no dataset package needed), and its
/// message when the data is missing.
/// </summary>
[NonParallelizable]
public class FashionMnistSmokeTests
{
    private string _out = "";

    [SetUp]
    public void Setup() => _out = Directory.CreateTempSubdirectory("sk-example-").FullName;

    [TearDown]
    public void TearDown() { try { Directory.Delete(_out, true); } catch (IOException) { } }

    private string[] Args(params string[] extra) => ["--epochs", "1", "--samples", "300", "--verbose", "0", "--out", _out, "--device", "cpu", .. extra];

    [Test]
    public void RunsOnSyntheticData()
    {
        var r = FashionMnistExample.Run(Args("--synthetic", "--batch-size", "32"));
        Assert.That(r, Is.Not.Null);
        Assert.That(r!.History.Keys, Is.SupersetOf(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }));
        Assert.That(r.History["loss"], Has.Count.EqualTo(1));
        Assert.That(double.IsFinite(r.TestScores["loss"]), Is.True);
        ExampleSmokeTests.AssertPng(r.CurvePath);
        // The tutorial's convnet: conv 3·3·1·32 + 32, conv 3·3·32·64 + 64, dense 1600·10 + 10.
        Assert.That(Model.Load(r.ModelPath).CountParams(), Is.EqualTo(320 + 18_496 + 16_010));
    }

    [Test]
    public void MissingDataExplainsWhatToDo()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_out, "no-fashion-mnist")).FullName;
        var stderr = new StringWriter();
        var old = Console.Error;
        Console.SetError(stderr);
        try { Assert.That(FashionMnistExample.Run(Args("--data-dir", empty)), Is.Null); }
        finally { Console.SetError(old); }
        Assert.That(stderr.ToString(), Does.Contain("apt-get install dataset-fashion-mnist").And.Contain("--synthetic"));
    }
}
