using NUnit.Framework;
using Sharpkeras.Optimizers.Schedules;

namespace Sharpkeras.Tests.Schedules;

/// <summary>Values from Keras 3's published formulas, worked by hand (the arithmetic is in each comment).</summary>
public class ScheduleFormulaTests
{
    private const double Tol = 1e-12;

    [Test]
    public void ExponentialDecay()
    {
        var s = new ExponentialDecay(0.1, decaySteps: 10, decayRate: 0.5);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.1).Within(Tol));                 // 0.1·0.5^0
        Assert.That(s.Evaluate(5), Is.EqualTo(0.0707106781186548).Within(Tol));  // 0.1·0.5^0.5 = 0.1/√2
        Assert.That(s.Evaluate(10), Is.EqualTo(0.05).Within(Tol));               // 0.1·0.5^1
        Assert.That(s.Evaluate(25), Is.EqualTo(0.0176776695296637).Within(Tol)); // 0.1·0.5^2.5
        var st = new ExponentialDecay(0.1, 10, 0.5, staircase: true);
        Assert.That(st.Evaluate(9), Is.EqualTo(0.1).Within(Tol));                // floor(0.9) = 0
        Assert.That(st.Evaluate(15), Is.EqualTo(0.05).Within(Tol));              // floor(1.5) = 1
        Assert.That(st.Evaluate(25), Is.EqualTo(0.025).Within(Tol));             // floor(2.5) = 2
    }

    [Test]
    public void InverseTimeDecay()
    {
        var s = new InverseTimeDecay(0.1, decaySteps: 10, decayRate: 0.5);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.1).Within(Tol));                 // 0.1/(1 + 0)
        Assert.That(s.Evaluate(5), Is.EqualTo(0.08).Within(Tol));                // 0.1/(1 + 0.5·0.5)
        Assert.That(s.Evaluate(10), Is.EqualTo(0.1 / 1.5).Within(Tol));          // 0.1/(1 + 0.5·1)
        Assert.That(s.Evaluate(30), Is.EqualTo(0.04).Within(Tol));               // 0.1/(1 + 0.5·3)
        var st = new InverseTimeDecay(0.1, 10, 0.5, staircase: true);
        Assert.That(st.Evaluate(15), Is.EqualTo(0.1 / 1.5).Within(Tol));         // floor(1.5) = 1
    }

    [Test]
    public void PolynomialDecay()
    {
        var s = new PolynomialDecay(0.1, decaySteps: 10, endLearningRate: 0.01, power: 2);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.1).Within(Tol));                 // 0.09·1² + 0.01
        Assert.That(s.Evaluate(5), Is.EqualTo(0.0325).Within(Tol));              // 0.09·0.5² + 0.01
        Assert.That(s.Evaluate(10), Is.EqualTo(0.01).Within(Tol));               // 0.09·0 + 0.01
        Assert.That(s.Evaluate(20), Is.EqualTo(0.01).Within(Tol));               // step capped at decaySteps
        var linear = new PolynomialDecay(0.1, 10);                              // Keras defaults: end 1e-4, power 1
        Assert.That(linear.Evaluate(5), Is.EqualTo(0.05005).Within(Tol));        // 0.0999·0.5 + 0.0001
        var cyc = new PolynomialDecay(0.1, 10, endLearningRate: 0.01, power: 2, cycle: true);
        Assert.That(cyc.Evaluate(0), Is.EqualTo(0.1).Within(Tol));               // multiplier 1 at step 0
        Assert.That(cyc.Evaluate(10), Is.EqualTo(0.01).Within(Tol));             // ceil(1) = 1, p = 1
        Assert.That(cyc.Evaluate(15), Is.EqualTo(0.015625).Within(Tol));         // ceil(1.5) = 2 → p = 15/20: 0.09·0.25² + 0.01
    }

    [Test]
    public void PiecewiseConstantDecay()
    {
        var s = new PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1]);
        Assert.That(s.Evaluate(0), Is.EqualTo(1.0));
        Assert.That(s.Evaluate(100), Is.EqualTo(1.0));   // step <= boundaries[0]
        Assert.That(s.Evaluate(101), Is.EqualTo(0.5));
        Assert.That(s.Evaluate(110), Is.EqualTo(0.5));   // boundaries[0] < step <= boundaries[1]
        Assert.That(s.Evaluate(111), Is.EqualTo(0.1));   // past the last boundary
    }

    [Test]
    public void CosineDecay()
    {
        var s = new CosineDecay(0.1, decaySteps: 100);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.1).Within(Tol));                    // ½(1 + cos 0) = 1
        Assert.That(s.Evaluate(25), Is.EqualTo(0.0853553390593274).Within(Tol));   // 0.1·½(1 + cos π/4) = 0.1·0.853553
        Assert.That(s.Evaluate(50), Is.EqualTo(0.05).Within(Tol));                  // ½(1 + cos π/2) = ½
        Assert.That(s.Evaluate(100), Is.EqualTo(0.0).Within(Tol));                  // ½(1 + cos π) = 0
        Assert.That(s.Evaluate(150), Is.EqualTo(0.0).Within(Tol));                  // capped at decaySteps
        var a = new CosineDecay(0.1, 100, alpha: 0.1);
        Assert.That(a.Evaluate(50), Is.EqualTo(0.055).Within(Tol));                 // 0.1·(0.9·0.5 + 0.1)
        Assert.That(a.Evaluate(100), Is.EqualTo(0.01).Within(Tol));                 // 0.1·(0.9·0 + 0.1)
    }

    [Test]
    public void CosineDecayWithWarmup()
    {
        var s = new CosineDecay(0.0, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.0).Within(Tol));     // warmup starts at initialLearningRate
        Assert.That(s.Evaluate(5), Is.EqualTo(0.05).Within(Tol));    // (0.1 - 0)·5/10 + 0
        Assert.That(s.Evaluate(10), Is.EqualTo(0.1).Within(Tol));    // decay from the target at step 10 - 10 = 0
        Assert.That(s.Evaluate(60), Is.EqualTo(0.05).Within(Tol));   // 0.1·½(1 + cos(π·50/100))
        Assert.That(s.Evaluate(110), Is.EqualTo(0.0).Within(Tol));   // end of decay
        Assert.That(s.Evaluate(500), Is.EqualTo(0.0).Within(Tol));   // capped at decaySteps + warmupSteps
    }

    [Test]
    public void CosineDecayRestarts()
    {
        // periods (tMul 2): [0, 10), [10, 30), [30, 70) steps; each starts at 0.1·mMul^i (mMul 0.5)
        var s = new CosineDecayRestarts(0.1, firstDecaySteps: 10, tMul: 2.0, mMul: 0.5);
        Assert.That(s.Evaluate(0), Is.EqualTo(0.1).Within(Tol));
        Assert.That(s.Evaluate(5), Is.EqualTo(0.05).Within(Tol));     // i 0, f 0.5: 0.1·½(1 + cos π/2)
        Assert.That(s.Evaluate(10), Is.EqualTo(0.05).Within(Tol));    // restart 1: f 0, 0.1·0.5·½(1 + 1)
        Assert.That(s.Evaluate(20), Is.EqualTo(0.025).Within(Tol));   // i 1, f (2 - 1)/2 = 0.5: 0.1·0.5·½
        Assert.That(s.Evaluate(29), Is.EqualTo(0.025 * (1 + Math.Cos(Math.PI * 0.95))).Within(Tol)); // f (2.9 - 1)/2 = 0.95
        Assert.That(s.Evaluate(30), Is.EqualTo(0.025).Within(Tol));   // restart 2: 0.1·0.25·½(1 + 1)
        Assert.That(s.Evaluate(70), Is.EqualTo(0.0125).Within(Tol));  // restart 3: 0.1·0.125
        var flat = new CosineDecayRestarts(0.1, 10, tMul: 1.0, mMul: 1.0);
        Assert.That(flat.Evaluate(10), Is.EqualTo(0.1).Within(Tol));  // i 1, f 0
        Assert.That(flat.Evaluate(15), Is.EqualTo(0.05).Within(Tol)); // i 1, f 0.5
        var a = new CosineDecayRestarts(0.1, 10, alpha: 0.1);
        Assert.That(a.Evaluate(5), Is.EqualTo(0.055).Within(Tol));    // 0.1·(0.9·0.5 + 0.1)
    }

    [Test]
    public void BadArgumentsThrowBeforeTraining()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1, 0, 0.5))!.ParamName, Is.EqualTo("decaySteps"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(0.1, -1, 0.5))!.ParamName, Is.EqualTo("decaySteps"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialDecay(0.1, 0))!.ParamName, Is.EqualTo("decaySteps"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecay(0.1, -5))!.ParamName, Is.EqualTo("decaySteps"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new CosineDecayRestarts(0.1, 0))!.ParamName, Is.EqualTo("firstDecaySteps"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(double.NaN, 10, 0.5))!.ParamName, Is.EqualTo("initialLearningRate"));
        var m = Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 20], [1.0, 0.5]))!;
        Assert.That(m.Message, Does.Contain("should be 1 less than the length of values"));
        Assert.That(m.ParamName, Is.EqualTo("values"));
        var inc = Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 10], [1.0, 0.5, 0.1]))!;
        Assert.That(inc.Message, Does.Contain("strictly increasing"));
        Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1, 10, 0.5).Evaluate(-1));
    }

    [Test]
    public void GetConfigUsesKerasKeys()
    {
        var c = new CosineDecayRestarts(0.1, 10).GetConfig();
        Assert.That(c["first_decay_steps"], Is.EqualTo(10.0));
        Assert.That(c["t_mul"], Is.EqualTo(2.0));
        Assert.That(c["m_mul"], Is.EqualTo(1.0));
        var p = new PiecewiseConstantDecay([5], [1.0, 0.1]).GetConfig();
        Assert.That(p["boundaries"], Is.EqualTo(new long[] { 5 }));
        Assert.That(p["values"], Is.EqualTo(new[] { 1.0, 0.1 }));
    }
}
