using NUnit.Framework;
using Sharpkeras.Optimizers;
using Sharpkeras.Optimizers.Schedules;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>Keras's update rules and base options, against values computed by hand from Keras's formulas.</summary>
public class OptimizerCatalogueTests
{
    [Test]
    public void SgdKeepsKerasVelocityFormWhenTheLearningRateChanges()
    {
        using var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, momentum: 0.9), [1f]);
        rig.Step([1f]);                       // m = -0.1, w = 0.9
        Assert.That(rig.Kernel[0], Is.EqualTo(0.9f).Within(1e-6));
        rig.Optimizer.LearningRate = 0.01;
        rig.Step([1f]);                       // m = 0.9·(-0.1) - 0.01 = -0.1, w = 0.8 (torch's form would give 0.881)
        Assert.That(rig.Kernel[0], Is.EqualTo(0.8f).Within(1e-6));
    }

    [Test]
    public void SgdNesterov()
    {
        using var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), [1f]);
        rig.Step([1f]);                       // m = -0.1; w += 0.9·m - 0.1
        Assert.That(rig.Kernel[0], Is.EqualTo(0.81f).Within(1e-6));
        rig.Step([1f]);                       // m = -0.19; w += -0.171 - 0.1
        Assert.That(rig.Kernel[0], Is.EqualTo(0.539f).Within(1e-6));
        // Keras allows nesterov at momentum 0: plain SGD.
        Assert.That(OptimizerTestRig.OneStep(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, nesterov: true), 1f, 1f), Is.EqualTo(0.9f).Within(1e-6));
    }

    [Test]
    public void Lion()
    {
        using var rig = new OptimizerTestRig(new Lion(learningRate: 0.1), [1f]);
        rig.Step([2f]);                       // sign(0.1·2) = 1; m = 0.02
        Assert.That(rig.Kernel[0], Is.EqualTo(0.9f).Within(1e-6));
        rig.Step([-1f]);                      // sign(0.018 - 0.1) = -1
        Assert.That(rig.Kernel[0], Is.EqualTo(1.0f).Within(1e-6));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Lion(beta1: 0))!.ParamName, Is.EqualTo("beta1"));
    }

    [Test]
    public void LambScalesByTheTrustRatio()
    {
        using var rig = new OptimizerTestRig(new Lamb(learningRate: 0.1), [3f, 4f]);
        rig.Step([1f, 1f]);                   // update ≈ [1, 1]; ratio ‖w‖/‖u‖ = 5/√2
        Assert.That(rig.Kernel[0], Is.EqualTo(3 - 0.5 / Math.Sqrt(2)).Within(1e-5));
        Assert.That(rig.Kernel[1], Is.EqualTo(4 - 0.5 / Math.Sqrt(2)).Within(1e-5));
    }

    [Test]
    public void Ftrl()
    {
        // n' = 1.1, z = 1 - (√1.1 - √0.1)/0.1, w = -z / (√1.1/0.1)
        Assert.That(OptimizerTestRig.OneStep(new Ftrl(learningRate: 0.1), 1f, 1f), Is.EqualTo(0.6031423964976772).Within(1e-5));
        Assert.That(OptimizerTestRig.OneStep(new Ftrl(learningRate: 0.1, l1RegularizationStrength: 1), 1f, 1f), Is.EqualTo(0.5077961375731179).Within(1e-5));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Ftrl(learningRatePower: 0.5))!.ParamName, Is.EqualTo("learningRatePower"));
    }

    [Test]
    public void Adafactor()
    {
        // t = 1: β₂ₜ = 0, v = g², u = sign(g); α = max(1e-3, RMS(w))·min(lr, 1) = 0.001·RMS(w)
        using (var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.Adafactor(), [1f, 1f]))
        {
            rig.Step([1f, 2f]);               // factored: r = [2.5], c = [1, 4], v = [1, 4], u = [1, 1]
            Assert.That(rig.Kernel, Is.EqualTo(new[] { 0.999f, 0.999f }).Within(1e-6));
        }
        using (var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.Adafactor(), [2f], [2f]))
        {
            rig.Step([3f], [3f]);
            Assert.That(rig.Bias[0], Is.EqualTo(1.998f).Within(1e-6));
            rig.Step([3f], [3f]);             // t = 2: v stays g², α = 0.001·1.998
            Assert.That(rig.Bias[0], Is.EqualTo(1.998f - 0.001998f).Within(1e-6));
            Assert.That(rig.Kernel[0], Is.EqualTo(1.998f - 0.001998f).Within(1e-6));
        }
        // clipThreshold 0.5: u / max(1, RMS(u)/0.5) = u / 2
        Assert.That(OptimizerTestRig.OneStep(new Sharpkeras.Optimizers.Adafactor(clipThreshold: 0.5), 1f, 1f), Is.EqualTo(0.9995f).Within(1e-6));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Sharpkeras.Optimizers.Adafactor(beta2Decay: 0.5))!.ParamName, Is.EqualTo("beta2Decay"));
    }

    [Test]
    public void EmaAveragesAndFinalizes()
    {
        using var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.5), [1f]);
        rig.Step([1f]); rig.Step([1f]); rig.Step([1f]);   // w: .9 .8 .7; avg: .9 (first step), .85, .775
        Assert.That(rig.Kernel[0], Is.EqualTo(0.7f).Within(1e-6));
        Assert.That(Scalar(rig.Optimizer.EmaAverages![0]!), Is.EqualTo(0.775).Within(1e-6));
        rig.Optimizer.FinalizeVariableValues();
        Assert.That(rig.Kernel[0], Is.EqualTo(0.775f).Within(1e-6));
    }

    [Test]
    public void EmaOverwriteFrequency()
    {
        using var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 2), [1f]);
        rig.Step([1f]);
        rig.Step([1f]);                       // iteration 1: (1 + 1) % 2 == 0 -> w = avg = 0.85
        Assert.That(rig.Kernel[0], Is.EqualTo(0.85f).Within(1e-6));
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(0.75f).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sharpkeras.Optimizers.SGD(emaOverwriteFrequency: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sharpkeras.Optimizers.SGD(emaMomentum: 1.5));
    }

    [Test]
    public void GradientAccumulationAppliesTheMeanEveryNSteps()
    {
        using var rig = new OptimizerTestRig(new Sharpkeras.Optimizers.SGD(learningRate: 0.1, gradientAccumulationSteps: 2), [1f]);
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(1f));
        rig.Step([3f]);                       // mean gradient 2
        Assert.That(rig.Kernel[0], Is.EqualTo(0.8f).Within(1e-6));
        rig.Step([1f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(0.8f).Within(1e-6));
        Assert.That(rig.Optimizer.Iterations, Is.EqualTo(3));
        Assert.That(rig.Optimizer.KerasIterations, Is.EqualTo(1));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(gradientAccumulationSteps: 1))!.ParamName, Is.EqualTo("gradientAccumulationSteps"));
    }

    [Test]
    public void LossScaleFactorUnscalesGradients()
    {
        var opt = new Sharpkeras.Optimizers.SGD(learningRate: 0.1, lossScaleFactor: 4);
        Assert.That(Scalar(opt.ScaleLoss(torch.tensor(2f))), Is.EqualTo(8));
        Assert.That(OptimizerTestRig.OneStep(opt, 1f, 4f), Is.EqualTo(0.9f).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(lossScaleFactor: 0));
    }

    [Test]
    public void ExcludeFromWeightDecayByNameOrVariable()
    {
        var sgd = new Sharpkeras.Optimizers.SGD(learningRate: 0.1, weightDecay: 0.5);
        sgd.ExcludeFromWeightDecay(varNames: ["bias"]);
        using (var rig = new OptimizerTestRig(sgd, [1f], [1f]))
        {
            rig.Step([0f], [0f]);
            Assert.That(rig.Kernel[0], Is.EqualTo(0.95f).Within(1e-6));
            Assert.That(rig.Bias[0], Is.EqualTo(1f));
            Assert.Throws<InvalidOperationException>(() => rig.Optimizer.ExcludeFromWeightDecay(varNames: ["kernel"]));
        }
        var adamw = new AdamW(learningRate: 0.1, weightDecay: 0.5);
        adamw.ExcludeFromWeightDecay(varNames: ["kernel"]);
        using (var rig = new OptimizerTestRig(adamw, [1f], [1f]))
        {
            rig.Step([0f], [0f]);
            Assert.That(rig.Kernel[0], Is.EqualTo(1f));
            Assert.That(rig.Bias[0], Is.EqualTo(0.95f).Within(1e-6));
        }
    }

    [Test]
    public void LearningRateOfAScheduleIsNotSettable()
    {
        var opt = new Adam(learningRate: new ExponentialDecay(0.1, 10, 0.5));
        var e = Assert.Throws<InvalidOperationException>(() => opt.LearningRate = 0.01)!;
        Assert.That(e.Message, Does.Contain("not settable"));
        Assert.That(e.Message, Does.Contain("ExponentialDecay"));
    }

    [Test]
    public void NewOptimizersHaveAliasesAndRoundTripTheirConfigs()
    {
        Assert.That(Optimizer.Get("lion"), Is.TypeOf<Lion>());
        Assert.That(Optimizer.Get("Lamb"), Is.TypeOf<Lamb>());
        Assert.That(Optimizer.Get("adafactor"), Is.TypeOf<Sharpkeras.Optimizers.Adafactor>());
        Assert.That(Optimizer.Get("ftrl"), Is.TypeOf<Ftrl>());
        Optimizer[] all =
        [
            new Lion(learningRate: 0.01, beta1: 0.8, beta2: 0.9, weightDecay: 0.1),
            new Lamb(beta1: 0.8, epsilon: 1e-6, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 3),
            new Sharpkeras.Optimizers.Adafactor(beta2Decay: -0.7, epsilon1: 1e-29, epsilon2: 1e-2, clipThreshold: 2, relativeStep: false),
            new Ftrl(learningRatePower: -0.3, initialAccumulatorValue: 0.2, l1RegularizationStrength: 0.1, l2RegularizationStrength: 0.2,
                l2ShrinkageRegularizationStrength: 0.3, beta: 0.4, gradientAccumulationSteps: 4, lossScaleFactor: 128),
            new Sharpkeras.Optimizers.SGD(momentum: 0.9, nesterov: true, globalClipnorm: 1.0, useEma: true),
        ];
        foreach (var o in all) Assert.That(RoundTrip(o, x => x.GetConfig()).GetType(), Is.EqualTo(o.GetType()));
    }
}

public class ScheduleSetterInFitTests
{
    [Test]
    public void LearningRateSchedulerOnAScheduleBuiltOptimizerFailsClearly()
    {
        Keras.Config.Seed(1);
        var model = new Sequential(new Sharpkeras.Layers.Dense(1, inputShape: [2]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: new ExponentialDecay(0.1, 10, 0.5)), loss: "mse");
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(torch.ones(4, 2), torch.ones(4, 1), epochs: 1, verbose: 0,
            callbacks: [new Sharpkeras.Callbacks.LearningRateScheduler((epoch, lr) => lr * 0.5)]))!;
        Assert.That(e.Message, Does.Contain("not settable"));
    }
}
