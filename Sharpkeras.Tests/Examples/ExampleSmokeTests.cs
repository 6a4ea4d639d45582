using NUnit.Framework;

namespace Sharpkeras.Tests.Examples;

/// <summary>Each example runs end to end on a few hundred samples for one epoch: CI proves they build and run.</summary>
[NonParallelizable]
public class ExampleSmokeTests
{
    private string _out = "";

    [SetUp]
    public void Setup() => _out = Directory.CreateTempSubdirectory("sk-example-").FullName;

    [TearDown]
    public void TearDown() { try { Directory.Delete(_out, true); } catch (IOException) { } }

    private string[] Args(params string[] extra) => ["--epochs", "1", "--samples", "300", "--verbose", "0", "--out", _out, "--device", "cpu", .. extra];

    [Test]
    public void LeNet5RunsOnRealDigits()
    {
        var r = Sharpkeras.Examples.LeNet5.LeNet5Example.Run(Args("--batch-size", "16"));
        Assert.That(r.History["loss"], Has.Count.EqualTo(1));
        Assert.That(r.TestScores["accuracy"], Is.GreaterThan(0.3), "300 real digits, one epoch: clearly better than chance");
        Assert.That(File.Exists(r.ModelPath), Is.True);
        Assert.That(r.Data, Does.StartWith("MNIST (real digits"));
        AssertPng(r.CurvePath);
        var loaded = Model.Load(r.ModelPath);
        Assert.That(loaded.CountParams(), Is.EqualTo(61_706));
    }

    [Test]
    public void CifarCnnRunsOnSyntheticData()
    {
        var r = Sharpkeras.Examples.CifarCnn.CifarCnnExample.Run(Args("--synthetic", "--batch-size", "32"));
        Assert.That(r, Is.Not.Null);
        Assert.That(r!.History.Keys, Is.SupersetOf(new[] { "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate" }));
        Assert.That(double.IsFinite(r.TestScores["loss"]), Is.True);
        Assert.That(r.Data, Does.StartWith("synthetic"), "a run on generated data says so");
        AssertPng(r.CurvePath);
        Assert.That(File.Exists(Path.Combine(_out, "cifar_cnn.best.skeras")), Is.True, "ModelCheckpoint wrote the best epoch");
        Assert.That(Model.Load(r.ModelPath).CountParams(), Is.EqualTo(95_434), "the seed's CNN (augmentation layers add no weights)");
    }

    [Test]
    public void CifarCnnOfflineExplainsWhatToDo()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_out, "no-cifar")).FullName;
        var r = Sharpkeras.Examples.CifarCnn.CifarCnnExample.Run(Args("--data-dir", empty));
        Assert.That(r, Is.Null);
    }

    [Test]
    public void ImdbLstmRunsOnSyntheticData()
    {
        var r = Sharpkeras.Examples.ImdbLstm.ImdbLstmExample.Run(Args("--synthetic"));
        Assert.That(r, Is.Not.Null);
        Assert.That(r!.History.Keys, Is.SupersetOf(new[] { "loss", "val_loss", "accuracy" }));
        Assert.That(r.History["learning_rate"][0], Is.LessThan(1e-3), "exponential decay lowered the rate during the epoch");
        Assert.That(r.Data, Does.StartWith("synthetic"));
        AssertPng(r.CurvePath);
    }

    [Test]
    public void ClassicNetsSmallRun()
    {
        var counts = Sharpkeras.Examples.ClassicNets.ClassicNetsExample.Run(Args("--small", "--samples", "64", "--batch-size", "32"));
        Assert.That(counts["LeNet5"], Is.EqualTo(61_706));
    }

    [Test]
    public void BadOptionsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sharpkeras.Examples.LeNet5.LeNet5Example.Run(["--epochs", "zero"]));
        Assert.That(ex!.Message, Does.Contain("--epochs"));
        Assert.Throws<ArgumentException>(() => Sharpkeras.Examples.LeNet5.LeNet5Example.Run(["--frobnicate"]));
    }

    internal static void AssertPng(string path)
    {
        Assert.That(File.Exists(path), Is.True, path);
        var head = File.ReadAllBytes(path).Take(8).ToArray();
        Assert.That(head, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "a real PNG file");
    }
}
