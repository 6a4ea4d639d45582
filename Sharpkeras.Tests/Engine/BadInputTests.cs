using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>Bad input gets a typed exception naming what was wrong, and leaves the model unchanged.</summary>
public class BadInputTests
{
    private static Sequential Compiled()
    {
        var m = new Sequential(new Dense(3, activation: "softmax", inputShape: [4]));
        m.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    private static (Tensor x, Tensor y) Data(int n = 8) =>
        (torch.randn(n, 4), torch.randint(0, 3, [n], dtype: ScalarType.Int64));

    [Test]
    public void FitBeforeCompile()
    {
        var m = new Sequential(new Dense(1, inputShape: [4]));
        var ex = Assert.Throws<InvalidOperationException>(() => m.Fit(torch.randn(4, 4), torch.randn(4, 1), verbose: 0));
        Assert.That(ex!.Message, Does.Contain("Compile"));
    }

    [Test]
    public void UnknownAliasesListValidOnes()
    {
        var m = new Sequential(new Dense(1, inputShape: [4]));
        var ex = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adamx", loss: "mse"));
        Assert.That(ex!.Message, Does.Contain("adamx").And.Contain("adam").And.Contain("sgd"));
        ex = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adam", loss: "msee"));
        Assert.That(ex!.Message, Does.Contain("msee").And.Contain("sparse_categorical_crossentropy"));
        ex = Assert.Throws<ArgumentException>(() => m.Compile(optimizer: "adam", loss: "mse", metrics: ["accuracyy"]));
        Assert.That(ex!.Message, Does.Contain("accuracyy"));
        ex = Assert.Throws<ArgumentException>(() => new Dense(3, activation: "rellu"));
        Assert.That(ex!.Message, Does.Contain("rellu").And.Contain("relu"));
    }

    [Test]
    public void LengthMismatchEmptyBatchSizeSplit()
    {
        var m = Compiled();
        var (x, y) = Data();
        var ex = Assert.Throws<ArgumentException>(() => m.Fit(x, y[..5], verbose: 0));
        Assert.That(ex!.Message, Does.Contain("8").And.Contain("5"));
        Assert.Throws<ArgumentException>(() => m.Fit(torch.zeros(0, 4), torch.zeros(0, dtype: ScalarType.Int64), verbose: 0));
        var bs = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, batchSize: 0, verbose: 0));
        Assert.That(bs!.ParamName, Is.EqualTo("batchSize"));
        var vs = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, validationSplit: 1.5, verbose: 0));
        Assert.That(vs!.ParamName, Is.EqualTo("validationSplit"));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(x, y, validationSplit: -0.1, verbose: 0));
    }

    [Test]
    public void NaNInputsAndBadLabels()
    {
        var m = Compiled();
        var (x, y) = Data();
        var xn = x.clone();
        xn[0, 0] = torch.tensor(float.NaN);
        var ex = Assert.Throws<ArgumentException>(() => m.Fit(xn, y, verbose: 0));
        Assert.That(ex!.Message, Does.Contain("NaN"));
        var yBad = y.clone();
        yBad[0] = torch.tensor(7L);
        ex = Assert.Throws<ArgumentException>(() => m.Fit(x, yBad, verbose: 0));
        Assert.That(ex!.Message, Does.Contain("[0, 2]").And.Contain("7"));
        ex = Assert.Throws<ArgumentException>(() => m.Fit(x, torch.full([8], 0.5f), verbose: 0));
        Assert.That(ex!.Message, Does.Contain("whole numbers"));
    }

    [Test]
    public void WrongInputShapeNamesLayerAndShapes()
    {
        var m = Compiled();
        var ex = Assert.Throws<ArgumentException>(() => m.Fit(torch.randn(8, 5), Data().y, verbose: 0));
        Assert.That(ex!.Message, Does.Contain("dense").And.Contain("(None, 4)").And.Contain("(8, 5)"));
        var d = new Dense(3);
        ex = Assert.Throws<ArgumentException>(() => d.Apply(torch.randn(4)));
        Assert.That(ex!.Message, Does.Contain(d.Name).And.Contain("rank"));
        Assert.That(d.Built, Is.False, "a failed build leaves no weights");
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.0));
    }

    [Test]
    public void FailedFitLeavesWeightsUnchanged()
    {
        var m = Compiled();
        var (x, y) = Data();
        var before = m.GetWeights();
        var yBad = y.clone();
        yBad[3] = torch.tensor(-1L);
        Assert.Throws<ArgumentException>(() => m.Fit(x, yBad, verbose: 0));
        var after = m.GetWeights();
        for (int i = 0; i < before.Count; i++) Assert.That(Kit.Same(after[i], before[i]), Is.True);
        Assert.That(m.Optimizer!.Iterations, Is.EqualTo(0));
    }

    [Test]
    public void ShapeMismatchBetweenLabelsAndOutputIsCaughtBeforeAnyUpdate()
    {
        var m = new Sequential(new Dense(3, activation: "softmax", inputShape: [4]));
        m.Compile(optimizer: "adam", loss: "categorical_crossentropy");
        var before = m.GetWeights();
        var ex = Assert.Throws<ArgumentException>(() => m.Fit(torch.randn(8, 4), torch.randn(8, 5), verbose: 0));
        Assert.That(ex!.Message, Does.Contain("(8, 5)").Or.Contain("5"));
        var after = m.GetWeights();
        for (int i = 0; i < before.Count; i++) Assert.That(Kit.Same(after[i], before[i]), Is.True);
    }

    [Test]
    public void CancellationStopsTraining()
    {
        var m = Compiled();
        var (x, y) = Data(64);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => m.Fit(x, y, epochs: 5, verbose: 0, cancellationToken: cts.Token));
    }
}
