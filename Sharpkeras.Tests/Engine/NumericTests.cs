using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.Core;

/// <summary>Numbers checked against values computed by hand from Keras's definitions.</summary>
public class NumericTests
{
    [Test]
    public void DenseOutputForFixedWeights()
    {
        var d = new Dense(3);
        d.Apply(torch.zeros(1, 2));
        d.SetWeights([T([1, 2, 3, 4, 5, 6], 2, 3), T([0.5f, -1, 0], 3)]);
        var y = d.Apply(T([1, 2], 1, 2));
        // [1*1+2*4+0.5, 1*2+2*5-1, 1*3+2*6+0] = [9.5, 11, 15]
        Assert.That(y.data<float>().ToArray(), Is.EqualTo(new[] { 9.5f, 11f, 15f }));
    }

    [Test]
    public void DenseWithActivationAndNoBias()
    {
        var d = new Dense(1, activation: "relu", useBias: false);
        d.Apply(torch.zeros(1, 2));
        Assert.That(d.GetWeights().Count, Is.EqualTo(1));
        d.SetWeights([T([1, -1], 2, 1)]);
        var y = d.Apply(T([1, 3, 3, 1], 2, 2));
        // relu(1-3) = 0, relu(3-1) = 2
        Assert.That(y.data<float>().ToArray(), Is.EqualTo(new[] { 0f, 2f }));
    }

    [Test]
    public void MeanSquaredErrorIsMeanOverLastAxisThenBatch()
    {
        var y = T([1, 2, 3, 4], 2, 2);
        var p = T([1, 1, 1, 1], 2, 2);
        // per sample: mean(0², 1²) = 0.5 ; mean(2², 3²) = 6.5 ; batch mean = 3.5
        Assert.That(new MeanSquaredError().Compute(y, p).item<float>(), Is.EqualTo(3.5f).Within(1e-6));
        // sample weights [1, 0]: (0.5*1 + 6.5*0) / 2 = 0.25 (sum over batch size)
        Assert.That(new MeanSquaredError().Compute(y, p, torch.tensor(new float[] { 1, 0 })).item<float>(), Is.EqualTo(0.25f).Within(1e-6));
        Assert.That(Loss.Get("mae").Compute(y, p).item<float>(), Is.EqualTo((0.5f + 2.5f) / 2).Within(1e-6));
    }

    [Test]
    public void CategoricalCrossentropyOnProbabilities()
    {
        var y = T([0, 1, 0], 1, 3);
        var p = T([0.2f, 0.5f, 0.3f], 1, 3);
        Assert.That(new CategoricalCrossentropy().Compute(y, p).item<float>(), Is.EqualTo(-Math.Log(0.5)).Within(1e-6));
        // label smoothing 0.3 over 3 classes: y = [0.1, 0.8, 0.1]
        double expected = -(0.1 * Math.Log(0.2) + 0.8 * Math.Log(0.5) + 0.1 * Math.Log(0.3));
        Assert.That(new CategoricalCrossentropy(labelSmoothing: 0.3).Compute(y, p).item<float>(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void SparseCategoricalCrossentropyFromLogits()
    {
        var logits = T([1, 2, 3], 1, 3);
        var label = torch.tensor(new long[] { 2 });
        // -log softmax(3) = log(1 + e^-1 + e^-2)
        double expected = Math.Log(1 + Math.Exp(-1) + Math.Exp(-2));
        Assert.That(new SparseCategoricalCrossentropy(fromLogits: true).Compute(label, logits).item<float>(), Is.EqualTo(expected).Within(1e-6));
        // uint8 labels work the same
        Assert.That(new SparseCategoricalCrossentropy(fromLogits: true).Compute(label.to(ScalarType.Byte), logits).item<float>(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void BinaryCrossentropyAveragesLastAxis()
    {
        var y = T([1, 0], 1, 2);
        var p = T([0.8f, 0.4f], 1, 2);
        double expected = (-Math.Log(0.8) - Math.Log(0.6)) / 2;
        Assert.That(new BinaryCrossentropy().Compute(y, p).item<float>(), Is.EqualTo(expected).Within(1e-6));
        var logits = T([2f, -1f], 1, 2);
        double e2 = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1))) / 2;
        Assert.That(new BinaryCrossentropy(fromLogits: true).Compute(y, logits).item<float>(), Is.EqualTo(e2).Within(1e-6));
    }

    [Test]
    public void HuberLogCoshKldHinge()
    {
        var y = T([0, 0], 1, 2);
        var p = T([0.5f, 3f], 1, 2);
        // huber delta 1: 0.5*0.25 = 0.125 ; 1*(3 - 0.5) = 2.5 ; mean = 1.3125
        Assert.That(new Huber().Compute(y, p).item<float>(), Is.EqualTo(1.3125f).Within(1e-6));
        double lc = (Math.Log(Math.Cosh(0.5)) + Math.Log(Math.Cosh(3))) / 2;
        Assert.That(new LogCosh().Compute(y, p).item<float>(), Is.EqualTo(lc).Within(1e-5));
        var yt = T([0.5f, 0.5f], 1, 2);
        var yp = T([0.25f, 0.75f], 1, 2);
        double kld = 0.5 * Math.Log(0.5 / 0.25) + 0.5 * Math.Log(0.5 / 0.75);
        Assert.That(new KLDivergence().Compute(yt, yp).item<float>(), Is.EqualTo(kld).Within(1e-6));
        // hinge with {0,1} labels -> {-1,1}: y=[1,0] -> [1,-1]; p=[0.3, 0.2]: max(1-0.3,0)=0.7, max(1+0.2,0)=1.2; mean 0.95
        Assert.That(new Hinge().Compute(T([1, 0], 1, 2), T([0.3f, 0.2f], 1, 2)).item<float>(), Is.EqualTo(0.95f).Within(1e-6));
    }

    [Test]
    public void L2RegularizationIsAddedToTheLoss()
    {
        var model = new Sequential(new Dense(1, useBias: false, kernelRegularizer: new Sharpkeras.Regularizers.L2(0.5), inputShape: [1]));
        model.Layers[0].SetWeights([T([2], 1, 1)]);
        model.Compile(optimizer: "sgd", loss: "mse");
        // prediction 0 for x = 0, so MSE = 0; penalty 0.5 * 2² = 2
        var scores = model.Evaluate(torch.zeros(4, 1), torch.zeros(4, 1), verbose: 0);
        Assert.That(scores["loss"], Is.EqualTo(2.0).Within(1e-6));
    }

    [Test]
    public void EvaluateLossIsBatchSizeWeightedMean()
    {
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([T([1], 1, 1)]);
        model.Compile(optimizer: "sgd", loss: "mse");
        var x = T([1, 2, 3, 4, 5], 5, 1);
        var y = torch.zeros(5, 1);
        // squared errors 1,4,9,16,25 -> mean 11 regardless of the batch split (3 + 2)
        Assert.That(model.Evaluate(x, y, batchSize: 3, verbose: 0)["loss"], Is.EqualTo(11.0).Within(1e-5));
    }

    [Test]
    public void ClassWeightScalesPerSampleLoss()
    {
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([T([0], 1, 1)]);
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.0), loss: "mse");
        var x = T([1, 1], 2, 1);
        var y = T([0, 1], 2, 1);
        // errors 0 (class 0, weight 1) and 1 (class 1, weight 3): (0 + 3) / 2 = 1.5
        var logs = model.TrainOnBatch(x, y, classWeight: new Dictionary<int, double> { [0] = 1, [1] = 3 });
        Assert.That(logs["loss"], Is.EqualTo(1.5).Within(1e-6));
    }

    [Test]
    public void SgdStepMatchesHandComputation()
    {
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([T([1], 1, 1)]);
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.1), loss: "mse");
        // loss = (w*2 - 0)², dL/dw = 2*(2w)*2 = 8w = 8 ; w <- 1 - 0.1*8 = 0.2
        model.TrainOnBatch(T([2], 1, 1), T([0], 1, 1));
        Assert.That(model.GetWeights()[0].item<float>(), Is.EqualTo(0.2f).Within(1e-6));
    }

    [Test]
    public void AccuracyResolvesLikeKeras()
    {
        Assert.That(Sharpkeras.Metrics.Metric.ResolveAccuracy("accuracy", [8], [8, 10]), Is.InstanceOf<Sharpkeras.Metrics.SparseCategoricalAccuracy>());
        Assert.That(Sharpkeras.Metrics.Metric.ResolveAccuracy("accuracy", [8, 10], [8, 10]), Is.InstanceOf<Sharpkeras.Metrics.CategoricalAccuracy>());
        Assert.That(Sharpkeras.Metrics.Metric.ResolveAccuracy("accuracy", [8, 1], [8, 1]), Is.InstanceOf<Sharpkeras.Metrics.BinaryAccuracy>());
        Assert.That(Sharpkeras.Metrics.Metric.ResolveAccuracy("acc", [8, 1], [8, 4]), Is.InstanceOf<Sharpkeras.Metrics.SparseCategoricalAccuracy>());
    }

    [Test]
    public void InitializerDefaultsFollowKeras()
    {
        Keras.Config.Seed(3);
        var d = new Dense(200);
        d.Apply(torch.zeros(1, 300));
        var k = d.GetWeights()[0];
        double limit = Math.Sqrt(6.0 / (300 + 200));
        Assert.That(k.abs().max().item<float>(), Is.LessThanOrEqualTo(limit + 1e-6));
        Assert.That(k.abs().max().item<float>(), Is.GreaterThan(limit * 0.95), "glorot_uniform should fill the range");
        Assert.That(d.GetWeights()[1].abs().sum().item<float>(), Is.EqualTo(0f), "bias zeros");
        var (fi, fo) = Sharpkeras.Initializers.Initializer.ComputeFans([3, 3, 16, 32]);
        Assert.That((fi, fo), Is.EqualTo((3 * 3 * 16.0, 3 * 3 * 32.0)));
        var o = new Sharpkeras.Initializers.Orthogonal().Call([6, 6], ScalarType.Float32, torch.CPU);
        Assert.That(torch.allclose(o.matmul(o.t()), torch.eye(6), 1e-5, 1e-5), Is.True);
    }
}
