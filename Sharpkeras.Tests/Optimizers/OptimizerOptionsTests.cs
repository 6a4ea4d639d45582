using NUnit.Framework;
using Sharpkeras.Optimizers;
using Sharpkeras.Optimizers.Schedules;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>Keras's base-optimizer options (clipping, decoupled weight decay, learning rate) checked numerically with SGD (lr 1).</summary>
public class OptimizerOptionsTests
{
    // Kernel gradient [3, 4] (norm 5), bias gradient [0.6, 0.8] (norm 1), weights start at 0, SGD lr 1: w = -clipped g.

    [Test]
    public void ClipNormClipsEachWeightSeparately()
    {
        using var rig = new OptimizerTestRig(new SGD(learningRate: 1.0, clipNorm: 1.0), [0f, 0f], [0f, 0f]);
        rig.Step([3f, 4f], [0.6f, 0.8f]);
        Assert.That(rig.Kernel, Is.EqualTo(new[] { -0.6f, -0.8f }).Within(1e-6));   // [3,4]·1/5
        Assert.That(rig.Bias, Is.EqualTo(new[] { -0.6f, -0.8f }).Within(1e-6));     // norm 1: unchanged
    }

    [Test]
    public void GlobalClipNormScalesAllGradientsTogether()
    {
        // global norm = √(25 + 1) = 5.0990195; scale = 1/5.0990195 = 0.19611614
        using var rig = new OptimizerTestRig(new SGD(learningRate: 1.0, globalClipnorm: 1.0), [0f, 0f], [0f, 0f]);
        rig.Step([3f, 4f], [0.6f, 0.8f]);
        double s = 1 / Math.Sqrt(26);
        Assert.That(rig.Kernel, Is.EqualTo(new[] { (float)(-3 * s), (float)(-4 * s) }).Within(1e-6));
        Assert.That(rig.Bias, Is.EqualTo(new[] { (float)(-0.6 * s), (float)(-0.8 * s) }).Within(1e-6));
    }

    [Test]
    public void ClipValueClipsEachElement()
    {
        using var rig = new OptimizerTestRig(new SGD(learningRate: 1.0, clipValue: 0.7), [0f, 0f], [0f, 0f]);
        rig.Step([3f, -4f], [0.6f, 0.8f]);
        Assert.That(rig.Kernel, Is.EqualTo(new[] { -0.7f, 0.7f }).Within(1e-7));
        Assert.That(rig.Bias, Is.EqualTo(new[] { -0.6f, -0.7f }).Within(1e-7));
    }

    [Test]
    public void WeightDecayIsDecoupled()
    {
        // Keras: w -= lr·wd·w before the update. lr 0.1, wd 0.5, w0 = 1, g = 0.2: w = 1 - 0.05 - 0.02 = 0.93
        Assert.That(OptimizerTestRig.OneStep(new SGD(learningRate: 0.1, weightDecay: 0.5), 1f, 0.2f), Is.EqualTo(0.93f).Within(1e-7));
        // the decay uses the weight, not the gradient: g = 0 still decays, 1 - 0.05 = 0.95
        Assert.That(OptimizerTestRig.OneStep(new SGD(learningRate: 0.1, weightDecay: 0.5), 1f, 0f), Is.EqualTo(0.95f).Within(1e-7));
        // RMSprop too: w0 = 2, g = 1e-3: decay 2·(1 - 0.001·0.1) = 1.9998, then Δ = 1e-6/√2e-7
        Assert.That(OptimizerTestRig.OneStep(new RMSprop(weightDecay: 0.1), 2f, 1e-3f),
            Is.EqualTo(1.9998 - 1e-6 / Math.Sqrt(2e-7)).Within(2.4e-7));
    }

    [Test]
    public void SettingLearningRateTakesEffectOnTheNextStep()
    {
        using var rig = new OptimizerTestRig(new SGD(learningRate: 0.1), [0f]);
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-0.1f).Within(1e-7));
        rig.Optimizer.LearningRate = 0.01;
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-0.11f).Within(1e-7));
        Assert.That(rig.Optimizer.TorchOptimizer!.ParamGroups.Single().LearningRate, Is.EqualTo(0.01));
        // also for a Keras-rule optimizer (RMSprop): g = 1e-3, lr 0.002 doubles the first step
        using var rms = new OptimizerTestRig(new RMSprop(), [0f]);
        rms.Optimizer.LearningRate = 0.002;
        rms.Step([1e-3f]);
        Assert.That(rms.Kernel[0], Is.EqualTo(-2e-6 / Math.Sqrt(2e-7)).Within(4e-9));
    }

    [Test]
    public void ScheduleIsEvaluatedAtEveryStep()
    {
        // step 0 (<= boundary 0): lr 1.0 → w = -1; step 1: lr 0.1 → w = -1.1
        using var rig = new OptimizerTestRig(new SGD(learningRate: new PiecewiseConstantDecay([0], [1.0, 0.1])), [0f]);
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-1f).Within(1e-7));
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-1.1f).Within(1e-6));
        Assert.That(rig.Optimizer.Iterations, Is.EqualTo(2));
    }

    [Test]
    public void InvalidLearningRateLeavesTheOptimizerUnchanged()
    {
        var o = new SGD(learningRate: 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.LearningRate = double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.LearningRate = -1);
        Assert.That(o.LearningRate, Is.EqualTo(0.1));
    }
}
