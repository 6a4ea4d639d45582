using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>Optimizer steps on one scalar weight against the hand-computed update. Setup: loss = (2w)², dL/dw = 8w.</summary>
public class OptimizerFoundationTests
{
    private static float Step(Optimizer opt, int steps = 1, float w0 = 1f)
    {
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([torch.full(1, 1, w0)]);
        model.Compile(optimizer: opt, loss: "mse");
        for (int i = 0; i < steps; i++) model.TrainOnBatch(torch.full(1, 1, 2f), torch.zeros(1, 1));
        return model.GetWeights()[0].item<float>();
    }

    [Test]
    public void KerasDefaults()
    {
        var adam = new Adam();
        Assert.That((adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon), Is.EqualTo((0.001, 0.9, 0.999, 1e-7)));
        Assert.That(new SGD().LearningRate, Is.EqualTo(0.01));
        var rms = new RMSprop();
        Assert.That((rms.LearningRate, rms.Rho, rms.Epsilon), Is.EqualTo((0.001, 0.9, 1e-7)));
        Assert.That(new AdamW().WeightDecay, Is.EqualTo(0.004));
        Assert.That(new Adagrad().InitialAccumulatorValue, Is.EqualTo(0.1));
        Assert.That(new Adadelta().Rho, Is.EqualTo(0.95));
        foreach (var alias in Optimizer.Aliases) Assert.That(Optimizer.Get(alias), Is.Not.Null, alias);
    }

    [Test]
    public void SgdMomentumTwoSteps()
    {
        // v1 = -0.1*8 = -0.8 -> w 0.2 ; g2 = 1.6 ; v2 = 0.9*(-0.8) - 0.1*1.6 = -0.88 -> w -0.68
        Assert.That(Step(new SGD(learningRate: 0.1, momentum: 0.9), steps: 2), Is.EqualTo(-0.68f).Within(1e-5));
    }

    [Test]
    public void AdamFirstStepIsLearningRateTimesSign()
    {
        // m̂ = g, v̂ = g² -> w -= lr * g / (|g| + eps) = 0.001 * 8 / (8 + 1e-7)
        Assert.That(Step(new Adam()), Is.EqualTo(1 - 0.001 * 8 / (8 + 1e-7)).Within(1e-6));
    }

    [Test]
    public void ClippingAndDecoupledWeightDecay()
    {
        // clipNorm 1: |g| = 8 -> 1 ; w = 1 - 0.1*1 = 0.9
        Assert.That(Step(new SGD(learningRate: 0.1, clipNorm: 1.0)), Is.EqualTo(0.9f).Within(1e-6));
        // clipValue 2: g -> 2 ; w = 1 - 0.2
        Assert.That(Step(new SGD(learningRate: 0.1, clipValue: 2.0)), Is.EqualTo(0.8f).Within(1e-6));
        // globalClipnorm 4: g -> 4 ; w = 1 - 0.4
        Assert.That(Step(new SGD(learningRate: 0.1, globalClipnorm: 4.0)), Is.EqualTo(0.6f).Within(1e-6));
        // weightDecay 0.5: w = 1 - 0.1*0.5*1 = 0.95, then the gradient step with g = 8: 0.95 - 0.8 = 0.15
        Assert.That(Step(new SGD(learningRate: 0.1, weightDecay: 0.5)), Is.EqualTo(0.15f).Within(1e-6));
    }

    [Test]
    public void SettableLearningRateTakesEffectNextStep()
    {
        var opt = new SGD(learningRate: 0.1);
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([torch.ones(1, 1)]);
        model.Compile(optimizer: opt, loss: "mse");
        model.TrainOnBatch(torch.full(1, 1, 2f), torch.zeros(1, 1));   // w = 0.2
        opt.LearningRate = 0.0;
        model.TrainOnBatch(torch.full(1, 1, 2f), torch.zeros(1, 1));
        Assert.That(model.GetWeights()[0].item<float>(), Is.EqualTo(0.2f).Within(1e-6));
        Assert.That(opt.Iterations, Is.EqualTo(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1.0));
    }
}
