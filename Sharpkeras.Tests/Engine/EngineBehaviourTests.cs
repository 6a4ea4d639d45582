using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Engine;

/// <summary>The engine behaviours Keras users rely on (issue 11), each checked against values computed by hand.</summary>
public class EngineBehaviourTests
{
    [SetUp]
    public void SetUp() => Keras.Config.Seed(7);

    /// <summary>Keras's classic <c>while True: yield x, y</c>: the same tensors, created on the first pull, forever.</summary>
    private sealed class ForeverGenerator : IEnumerable<Tensor[]>
    {
        public Tensor? X, Y;
        public int Pulls;

        public IEnumerator<Tensor[]> GetEnumerator()
        {
            while (true)
            {
                X ??= torch.arange(0, 16, dtype: ScalarType.Float32).reshape(8, 2).div(16);
                Y ??= X.sum([1L], keepdim: true);
                Pulls++;
                yield return [X, Y];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Test]
    public void AUserGeneratorThatYieldsTheSameTensorsForeverTrainsValidatesAndEvaluates()
    {
        var model = new Sequential(new Dense(1, inputShape: [2]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.1), loss: "mse");
        var train = new ForeverGenerator();
        var val = new ForeverGenerator();
        var history = model.Fit(train, epochs: 4, stepsPerEpoch: 1, validationData: val, validationSteps: 1, verbose: 0);
        Assert.That(history["loss"], Has.Count.EqualTo(4));
        Assert.That(history["val_loss"], Has.Count.EqualTo(4));
        Assert.That(history["loss"][^1], Is.LessThan(history["loss"][0]), "the loss falls");
        var scores = model.Evaluate(train, steps: 1, verbose: 0);
        Assert.That(scores["loss"], Is.GreaterThanOrEqualTo(0));
        // The trainer never disposed the user's tensors: they are still readable.
        Assert.That(train.X!.IsInvalid, Is.False);
        Assert.That(train.Y!.IsInvalid, Is.False);
        Assert.That(val.X!.IsInvalid, Is.False);
        Assert.That(train.X.sum().item<float>(), Is.EqualTo(120f / 16).Within(1e-6));
        Assert.That(train.Pulls, Is.EqualTo(5), "4 training steps + 1 evaluation step");
    }

    [Test]
    public void MasksReachTheLossAndTheMetrics()
    {
        // Embedding(maskZero) → LSTM(returnSequences) → TimeDistributed(Dense(1)): token 0 is padding.
        var model = new Sequential(
            new Embedding(10, 4, maskZero: true, inputShape: [5]),
            new LSTM(3, returnSequences: true),
            new TimeDistributed(new Dense(1)));
        model.Compile(optimizer: "sgd", loss: "mse", metrics: ["mae"]);
        var x = torch.tensor(new long[] { 3, 5, 2, 0, 0, 7, 1, 0, 0, 0, 4, 4, 4, 4, 9 }).reshape(3, 5);
        var y = torch.linspace(-1, 1, 15).reshape(3, 5, 1);
        var pred = model.Predict(x, verbose: 0);
        // By the definitions: the masked mean of the squared (absolute) errors over the 10 unmasked timesteps.
        var mask = x.ne(0).to(ScalarType.Float32).unsqueeze(-1);
        double valid = mask.sum().item<float>();
        Assert.That(valid, Is.EqualTo(10));
        double mse = ((y - pred).square() * mask).sum().item<float>() / valid;
        double mae = ((y - pred).abs() * mask).sum().item<float>() / valid;
        var scores = model.Evaluate(x, y, batchSize: 3, verbose: 0);
        Assert.That(scores["loss"], Is.EqualTo(mse).Within(1e-5));
        Assert.That(scores["mae"], Is.EqualTo(mae).Within(1e-5));
        // Changing the targets at padded timesteps changes nothing.
        var y2 = y.clone();
        y2.masked_fill_(mask.eq(0), 100f);
        var scores2 = model.Evaluate(x, y2, batchSize: 3, verbose: 0);
        Assert.That(scores2["loss"], Is.EqualTo(scores["loss"]).Within(1e-6));
        Assert.That(scores2["mae"], Is.EqualTo(scores["mae"]).Within(1e-6));
    }

    [Test]
    public void ALazilyBuiltSequentialAcceptsBatchesWithOtherTimesteps()
    {
        var model = new Sequential(new LSTM(4), new Dense(1));
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(torch.randn(6, 4, 3), torch.randn(6, 1), batchSize: 3, epochs: 1, verbose: 0);
        var p = model.Predict(torch.randn(5, 2, 3), verbose: 0);
        Assert.That(p.shape, Is.EqualTo(new long[] { 5, 1 }));
        var h = model.Fit(torch.randn(4, 7, 3), torch.randn(4, 1), batchSize: 2, epochs: 1, verbose: 0);
        Assert.That(double.IsFinite(h["loss"][0]), Is.True);
        // A declared input shape stays strict.
        var strict = new Sequential(new LSTM(4, inputShape: [4, 3]), new Dense(1));
        Assert.Throws<ArgumentException>(() => strict.Predict(torch.randn(5, 2, 3), verbose: 0));
    }

    [Test]
    public void ActivityRegularizationIsKeras3sFormulaAndBelongsToItsModel()
    {
        // Model A: Dense(1, ones kernel, no bias) with activity L1(0.5) on x = [[1, 2], [3, 4]]: outputs 3 and 7.
        var a = new Sequential(new Dense(1, useBias: false, kernelInitializer: "ones", activityRegularizer: new Regularizers.L1(0.5), inputShape: [2]));
        a.Compile(optimizer: "sgd", loss: "mse");
        // Model B: the same without regularizer.
        var b = new Sequential(new Dense(1, useBias: false, kernelInitializer: "ones", inputShape: [2]));
        b.Compile(optimizer: "sgd", loss: "mse");
        var x = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var y = torch.tensor(new float[] { 2, 5 }).reshape(2, 1);
        // MSE = ((3-2)² + (7-5)²) / 2 = 2.5; activity = 0.5 · (3 + 7) / batch 2 = 2.5.
        Assert.That(a.Evaluate(x, y, verbose: 0)["loss"], Is.EqualTo(5.0).Within(1e-5));
        a.Predict(x, verbose: 0); // leaves A's activity losses of this pass on A's layers
        Assert.That(b.Evaluate(x, y, verbose: 0)["loss"], Is.EqualTo(2.5).Within(1e-5), "B never sees A's losses");
        Assert.That(a.Evaluate(x, y, verbose: 0)["loss"], Is.EqualTo(5.0).Within(1e-5), "each pass counts once");
        // The same formula for a convolution: L1(0.5) on a 1×1 ones conv of a ones (2, 2, 2, 1) input → 0.5 · 8 / 2 = 2.
        var conv = new Conv2D(1, 1, useBias: false, kernelInitializer: "ones", activityRegularizer: new Regularizers.L1(0.5));
        conv.Apply(torch.ones(2, 2, 2, 1));
        Assert.That(conv.ActivityLosses.Single().item<float>(), Is.EqualTo(2f).Within(1e-6));
    }

    /// <summary>Records the torch module mode and the <c>training</c> flag of every call.</summary>
    private sealed class ModeProbe : Layer
    {
        public readonly List<(bool module, bool flag)> Seen = new();

        public ModeProbe() : base("mode_probe") { }

        public override Tensor Call(Tensor inputs, bool training)
        {
            Seen.Add((this.training, training));
            return inputs;
        }
    }

    [Test]
    public void FitEvaluateAndPredictSwitchTheModuleTreeBetweenTrainAndEval()
    {
        var probe = new ModeProbe();
        var model = new Sequential(new Dense(2, inputShape: [2]), probe, new Dropout(0.5), new Dense(1));
        model.Compile(optimizer: "sgd", loss: "mse");
        probe.Seen.Clear(); // shape inference ran the probe once while the model was built
        var x = torch.randn(4, 2);
        var y = torch.randn(4, 1);
        model.Fit(x, y, batchSize: 4, epochs: 1, validationData: (x, y), verbose: 0);
        Assert.That(probe.Seen, Is.EqualTo(new[] { (true, true), (false, false) }), "train step in train(), validation in eval()");
        probe.Seen.Clear();
        model.Evaluate(x, y, verbose: 0);
        model.Predict(x, verbose: 0);
        Assert.That(probe.Seen, Is.EqualTo(new[] { (false, false), (false, false) }));
        Assert.That(model.GetLayer(2).training, Is.False, "every module of the tree is in eval()");
        model.TrainOnBatch(x, y);
        Assert.That(probe.Seen[^1], Is.EqualTo((true, true)));
        Assert.That(model.GetLayer(2).training, Is.True);
    }
}
