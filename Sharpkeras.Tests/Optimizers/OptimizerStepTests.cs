using NUnit.Framework;
using Sharpkeras.Optimizers;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>One (or two) updates of a single weight with a known gradient, against Keras's formulas worked by hand.</summary>
public class OptimizerStepTests
{
    [Test]
    public void SgdWithoutMomentum()
    {
        // w = w0 - lr·g = 1 - 0.01·0.5
        Assert.That(OptimizerTestRig.OneStep(new SGD(), 1f, 0.5f), Is.EqualTo(0.995f).Within(1e-7));
    }

    [Test]
    public void SgdWithMomentumTwoSteps()
    {
        // Keras: m = μm - lr·g; w += m.  lr 0.1, μ 0.9, g 0.5:
        // step 1: m = -0.05, w = 0.95;  step 2: m = 0.9·(-0.05) - 0.05 = -0.095, w = 0.855
        using var rig = new OptimizerTestRig(new SGD(learningRate: 0.1, momentum: 0.9), [1f]);
        rig.Step([0.5f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(0.95f).Within(1e-7));
        rig.Step([0.5f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(0.855f).Within(1e-6));
    }

    [Test]
    public void AdamFirstStepUsesKerasEpsilonHat()
    {
        // Keras: m = 0.1·g, v = 0.001·g², α = lr·√(1-β₂)/(1-β₁), w -= α·m/(√v + ε).
        // g = 1e-6: m = 1e-7, v = 1e-15, √v = 3.16227766e-8, α = 0.001·0.0316227766/0.1 = 3.16227766e-4
        // w = -3.16227766e-4·1e-7/(3.16227766e-8 + 1e-7) = -2.40253073e-4   (torch's own eps placement gives -9.09e-4)
        double expected = -(3.16227766e-4 * 1e-7 / (3.16227766e-8 + 1e-7));
        Assert.That(OptimizerTestRig.OneStep(new Adam(), 0f, 1e-6f), Is.EqualTo(expected).Within(2e-9));
    }

    [Test]
    public void AdamFirstStepWithOrdinaryGradientMovesByLearningRate()
    {
        // g = 0.5: m = 0.05, √v = √0.00025 = 0.0158113883, α = 3.16227766e-4
        // Δ = 3.16227766e-4·0.05/(0.0158113883 + 1e-7) = 9.99993675e-4
        double delta = 3.16227766e-4 * 0.05 / (0.0158113883 + 1e-7);
        Assert.That(OptimizerTestRig.OneStep(new Adam(), 1f, 0.5f), Is.EqualTo(1 - delta).Within(1.2e-7));
    }

    [Test]
    public void AdamSecondStepBiasCorrection()
    {
        // Two steps of g = 1e-6 (w0 = 0). Step 2: m = 0.9·1e-7 + 0.1·1e-6 = 1.9e-7, v = 0.999·1e-15 + 0.001·1e-12 = 1.999e-15,
        // α₂ = 0.001·√(1-0.999²)/(1-0.9²) = 0.001·0.0447101778/0.19 = 2.35316725e-4,
        // Δ₂ = α₂·1.9e-7/(√1.999e-15 + 1e-7) = 2.35316725e-4·1.9e-7/(4.47101778e-8 + 1e-7) = 3.08961017e-4
        double d1 = 3.16227766e-4 * 1e-7 / (3.16227766e-8 + 1e-7);
        double a2 = 0.001 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
        double d2 = a2 * 1.9e-7 / (Math.Sqrt(1.999e-15) + 1e-7);
        using var rig = new OptimizerTestRig(new Adam(), [0f]);
        rig.Step([1e-6f]);
        rig.Step([1e-6f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-(d1 + d2)).Within(4e-9));
    }

    [Test]
    public void RMSpropPutsEpsilonInsideTheSquareRoot()
    {
        // v = 0.1·g² = 1e-7 (g = 1e-3); Δ = lr·g/√(v + ε) = 0.001·1e-3/√(2e-7) = 2.23606798e-3
        double expected = -(1e-6 / Math.Sqrt(2e-7));
        Assert.That(OptimizerTestRig.OneStep(new RMSprop(), 0f, 1e-3f), Is.EqualTo(expected).Within(2e-9));
    }

    [Test]
    public void RMSpropWithMomentumTwoSteps()
    {
        // step 1: v = 1e-7, Δ₁ = 1e-6/√2e-7 = 2.23606798e-3, m = Δ₁, w = -Δ₁
        // step 2: v = 0.9e-7 + 1e-7 = 1.9e-7, Δ₂ = 1e-6/√2.9e-7 = 1.85695338e-3, m = 0.5·Δ₁ + Δ₂, w = -Δ₁ - m
        double d1 = 1e-6 / Math.Sqrt(2e-7), d2 = 1e-6 / Math.Sqrt(2.9e-7);
        using var rig = new OptimizerTestRig(new RMSprop(momentum: 0.5), [0f]);
        rig.Step([1e-3f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-d1).Within(2e-9));
        rig.Step([1e-3f]);
        Assert.That(rig.Kernel[0], Is.EqualTo(-d1 - (0.5 * d1 + d2)).Within(5e-9));
    }

    [Test]
    public void RMSpropCentered()
    {
        // v = 1e-7, ḡ = 0.1·1e-3 = 1e-4, d = v - ḡ² + ε = 1e-7 - 1e-8 + 1e-7 = 1.9e-7, Δ = 1e-6/√1.9e-7 = 2.29415734e-3
        double expected = -(1e-6 / Math.Sqrt(1.9e-7));
        Assert.That(OptimizerTestRig.OneStep(new RMSprop(centered: true), 0f, 1e-3f), Is.EqualTo(expected).Within(2e-9));
    }

    [Test]
    public void AdagradStartsFromTheInitialAccumulator()
    {
        // a = 0.1 + 0.25 = 0.35; w = 1 - 0.001·0.5/√(0.35 + 1e-7) = 1 - 8.45154e-4
        double expected = 1 - 0.0005 / Math.Sqrt(0.35 + 1e-7);
        Assert.That(OptimizerTestRig.OneStep(new Adagrad(), 1f, 0.5f), Is.EqualTo(expected).Within(1.2e-7));
        // With a zero accumulator, ε inside the root matters: a = 1e-6 (g = 1e-3), Δ = 0.001·1e-3/√(1e-6 + 1e-7) = 9.53462589e-4
        Assert.That(OptimizerTestRig.OneStep(new Adagrad(initialAccumulatorValue: 0), 0f, 1e-3f),
            Is.EqualTo(-(1e-6 / Math.Sqrt(1.1e-6))).Within(2e-9));
    }

    [Test]
    public void AdadeltaFirstStep()
    {
        // a = 0.05·0.25 = 0.0125; Δ = √(0 + ε)·g/√(a + ε) = 3.16227766e-4·0.5/√0.0125001 = 1.41420791e-3; w = -lr·Δ
        double expected = -0.001 * (Math.Sqrt(1e-7) * 0.5 / Math.Sqrt(0.0125 + 1e-7));
        Assert.That(OptimizerTestRig.OneStep(new Adadelta(), 0f, 0.5f), Is.EqualTo(expected).Within(1e-11));
    }

    [Test]
    public void AdamaxFirstStep()
    {
        // m = 0.05, u = max(0, |0.5|) = 0.5; w = -lr·m/((1-β₁)(u + ε)) = -0.001·0.05/(0.1·0.5000001)
        double expected = -0.001 * 0.05 / (0.1 * (0.5 + 1e-7));
        Assert.That(OptimizerTestRig.OneStep(new Adamax(), 0f, 0.5f), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void NadamFirstStepUsesKerasMomentumSchedule()
    {
        // μ₁ = 0.9(1 - 0.5·0.96) = 0.468, μ₂ = 0.9(1 - 0.5·0.96²) = 0.48528, Π₁ = 0.468, Π₂ = 0.468·0.48528 = 0.22711104
        // m = 0.05, v = 0.00025; m̂ = μ₂·m/(1-Π₂) + (1-μ₁)g/(1-Π₁) = 0.024264/0.77288896 + 0.5 = 0.531393868
        // v̂ = v/(1-0.999) = 0.25; w = -lr·m̂/(√v̂ + ε) = -0.001·0.531393868/0.5000001
        double mHat = 0.48528 * 0.05 / (1 - 0.22711104) + (1 - 0.468) * 0.5 / (1 - 0.468);
        double expected = -0.001 * mHat / (0.5 + 1e-7);
        Assert.That(OptimizerTestRig.OneStep(new Nadam(), 0f, 0.5f), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void AdamWDecaysThenAppliesAdam()
    {
        // decay: w = 1 - lr·wd·w = 1 - 0.001·0.004 = 0.999996; Adam: Δ = 3.16227766e-4·0.05/(0.0158113883 + 1e-7)
        double delta = 3.16227766e-4 * 0.05 / (0.0158113883 + 1e-7);
        Assert.That(OptimizerTestRig.OneStep(new AdamW(), 1f, 0.5f), Is.EqualTo(0.999996 - delta).Within(1.2e-7));
        Assert.That(OptimizerTestRig.OneStep(new AdamW(weightDecay: 0.5), 1f, 0.5f), Is.EqualTo(1 - 0.0005 - delta).Within(1.2e-7));
    }

    [Test]
    public void TorchOptimizerStateRoundTripsForKerasRules()
    {
        // The Keras-rule optimizers are real torch optimizers: their state saves and loads with torch's state_dict API.
        using var a = new OptimizerTestRig(new RMSprop(momentum: 0.9), [0.3f]);
        a.Step([0.2f]);
        using var ms = new MemoryStream();
        ((TorchSharp.Modules.OptimizerHelper)a.Optimizer.TorchOptimizer!).save_state_dict(new BinaryWriter(ms));
        using var b = new OptimizerTestRig(new RMSprop(momentum: 0.9), [a.Kernel[0]]);
        ms.Position = 0;
        ((TorchSharp.Modules.OptimizerHelper)b.Optimizer.TorchOptimizer!).load_state_dict(new BinaryReader(ms));
        a.Step([0.2f]);
        b.Step([0.2f]);
        Assert.That(b.Kernel[0], Is.EqualTo(a.Kernel[0]));
        using var fresh = new OptimizerTestRig(new RMSprop(momentum: 0.9), [0.3f]);
        fresh.Step([0.2f]);
        fresh.Step([0.2f]);
        Assert.That(a.Kernel[0], Is.EqualTo(fresh.Kernel[0]));
    }
}
