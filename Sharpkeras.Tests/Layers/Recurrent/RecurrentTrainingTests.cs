using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class RecurrentTrainingTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(1234);
    }

    [Test]
    public void EmbeddingLstmDenseTrainsOnPaddedSequencesAndLossDecreases()
    {
        // 64 random sequences of 3..12 ids in [1, 99], post-padded with 0 to length 12;
        // label 1 when the sequence's last id (before the padding) is above 50.
        var gen = new Random(5);
        var ids = new long[64 * 12];
        var labels = new float[64];
        for (int i = 0; i < 64; i++)
        {
            int len = gen.Next(3, 13);
            for (int t = 0; t < len; t++) ids[i * 12 + t] = gen.Next(1, 100);
            labels[i] = ids[i * 12 + len - 1] > 50 ? 1f : 0f;
        }
        var x = torch.tensor(ids).reshape(64, 12);
        var y = torch.tensor(labels).reshape(64, 1);
        var model = new Sequential(
            new Embedding(100, 8, maskZero: true),
            new LSTM(8),
            new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: "adam", loss: "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(2));
        Assert.That(history["loss"][1], Is.LessThan(history["loss"][0]));
        // Embedding 100·8 + LSTM (8·32 + 8·32 + 32) + Dense (8 + 1) = 800 + 544 + 9 = 1,353
        Assert.That(model.CountParams(), Is.EqualTo(1_353));
    }

    private static void AssertEveryTrainableWeightGetsAGradient(Layer layer, Tensor output)
    {
        output.square().sum().backward();
        Assert.That(layer.TrainableWeights, Is.Not.Empty);
        foreach (var v in layer.TrainableWeights)
        {
            var g = v.Value.grad;
            Assert.That(g, Is.Not.Null, $"{v.Path} has no gradient");
            Assert.That(g!.abs().sum().item<float>(), Is.GreaterThan(0f), $"{v.Path} has a zero gradient");
        }
    }

    [Test]
    public void GradientReachesEveryWeightOnEveryPath()
    {
        var x = torch.randn(3, 5, 4);
        var mask = torch.tensor(new[] { true, true, true, false, false, false, true, true, true, true, true, true, true, true, true }).reshape(3, 5);
        var biasInit = "random_normal";
        // fused kernels, unmasked
        var lstm = new LSTM(3, returnSequences: true, biasInitializer: biasInit);
        AssertEveryTrainableWeightGetsAGradient(lstm, lstm.Apply(x, training: true));
        var gru = new GRU(3, biasInitializer: biasInit);
        AssertEveryTrainableWeightGetsAGradient(gru, gru.Apply(x, training: true));
        var rnn = new SimpleRNN(3, biasInitializer: biasInit);
        AssertEveryTrainableWeightGetsAGradient(rnn, rnn.Apply(x, training: true));
        // fused packed kernels (masked), with returned states
        var masked = new LSTM(3, returnState: true, biasInitializer: biasInit);
        masked.Apply(x);
        var outs = masked.CallMulti([x], true, [mask]);
        AssertEveryTrainableWeightGetsAGradient(masked, outs[0] + outs[2]);
        var maskedGru = new GRU(3, biasInitializer: biasInit);
        maskedGru.Apply(x);
        AssertEveryTrainableWeightGetsAGradient(maskedGru, maskedGru.Call(x, true, mask));
        // per-step loop (recurrent dropout while training; GRU reset before)
        var looped = new LSTM(3, recurrentDropout: 0.2, seed: 1, biasInitializer: biasInit);
        AssertEveryTrainableWeightGetsAGradient(looped, looped.Apply(x, training: true));
        var resetBefore = new GRU(3, resetAfter: false, biasInitializer: biasInit);
        AssertEveryTrainableWeightGetsAGradient(resetBefore, resetBefore.Apply(x, training: true));
        // wrappers
        var bi = new Bidirectional(new GRU(2, returnSequences: true, biasInitializer: biasInit));
        AssertEveryTrainableWeightGetsAGradient(bi, bi.Apply(x, training: true));
        // initial states receive gradients too
        var h0 = torch.randn(3, 3, requires_grad: true);
        var withState = new GRU(3);
        withState.ApplyMulti([x, h0], training: true)[0].sum().backward();
        Assert.That(h0.grad!.abs().sum().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void DropoutOnlyActsWhileTraining()
    {
        var x = torch.randn(4, 6, 5);
        var dropped = new LSTM(3, dropout: 0.5, recurrentDropout: 0.3, seed: 7);
        var plain = new LSTM(3, name: "plain");
        dropped.Apply(x);
        plain.Apply(x);
        plain.SetWeights(dropped.GetWeights());
        var inference = dropped.Apply(x);
        Assert.That(torch.allclose(inference, plain.Apply(x), 0, 1e-6), Is.True, "inference ignores dropout");
        Assert.That(torch.allclose(dropped.Apply(x), inference, 0, 0), Is.True, "inference is deterministic");
        var t1 = dropped.Apply(x, training: true);
        var t2 = dropped.Apply(x, training: true);
        Assert.That(torch.allclose(t1, inference, 0, 1e-4), Is.False, "training applies dropout");
        Assert.That(torch.allclose(t1, t2, 0, 1e-6), Is.False, "a fresh mask per call");

        var gru = new GRU(3, dropout: 0.4);
        var g = gru.Apply(x);
        Assert.That(torch.allclose(gru.Apply(x, training: true), g, 0, 1e-4), Is.False, "fused path with input dropout");
        Assert.That(torch.allclose(gru.Apply(x), g, 0, 0), Is.True);
    }

    [Test]
    public void InputDropoutMaskIsSharedByAllTimesteps()
    {
        // relu SimpleRNN with identity kernel, zero recurrent kernel and zero bias outputs relu(dropout(x_t)):
        // with x_t = 1 everywhere, every step shows the same mask, whose kept entries are scaled by 1/(1-0.5) = 2.
        var rnn = new SimpleRNN(6, activation: "relu", dropout: 0.5, returnSequences: true, seed: 3,
            kernelInitializer: "identity", recurrentInitializer: "zeros");
        var x = torch.ones(4, 5, 6);
        var y = rnn.Apply(x, training: true);
        var first = y[.., 0..1];
        Assert.That(torch.allclose(y, first.expand(4, 5, 6), 0, 0), Is.True, "same mask at every timestep");
        var values = Flat(first).Distinct().OrderBy(v => v).ToArray();
        Assert.That(values, Is.EqualTo(new double[] { 0, 2 }));
    }

    [Test]
    public void KernelRegularizersAndActivityRegularizerAddPenalties()
    {
        var lstm = new LSTM(2, kernelRegularizer: new Regularizers.L2(0.1), recurrentRegularizer: "l1", activityRegularizer: new Regularizers.L1(1.0));
        var y = lstm.Apply(torch.randn(2, 3, 4));
        var k = Flat(lstm.Kernel.Value); var r = Flat(lstm.RecurrentKernel.Value);
        // 0.1·Σk² + 0.01·Σ|r|
        double expected = 0.1 * k.Sum(v => v * v) + 0.01 * r.Sum(Math.Abs);
        Assert.That(lstm.RegularizationLoss()!.item<float>(), Is.EqualTo(expected).Within(1e-5));
        // activity: 1.0 · Σ|y| / batch
        Assert.That(lstm.ActivityLosses.Single().item<float>(), Is.EqualTo(Flat(y).Sum(Math.Abs) / 2).Within(1e-5));
    }
}
