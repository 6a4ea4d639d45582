using NUnit.Framework;
using Sharpkeras.Metrics;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.Metrics.MetricTestUtil;

namespace Sharpkeras.Tests.Metrics;

public class AUCTests
{
    // Example A: yTrue [0, 1, 1, 1], yPred [0.1, 0.6, 0.4, 0.8] with numThresholds 3 → thresholds [-1e-7, 0.5, 1 + 1e-7].
    // Positive when pred > threshold:  t=-ε: TP 3, FP 1;  t=0.5: TP 2 (0.6, 0.8), FP 0;  t=1+ε: TP 0, FP 0.
    // So TP [3, 2, 0], FP [1, 0, 0], TN [0, 1, 1], FN [0, 1, 3];  TPR [1, 2/3, 0], FPR [1, 0, 0], precision [3/4, 1, 0].

    private static AUC Fed(string curve = "ROC", string summation = "interpolation")
    {
        var m = new AUC(numThresholds: 3, curve: curve, summationMethod: summation);
        m.UpdateState(T(0, 1, 1, 1), T(0.1f, 0.6f, 0.4f, 0.8f));
        return m;
    }

    [Test]
    public void RocInterpolationIsTrapezoidal()
    {
        // Σ (FPR[i] - FPR[i+1])·(TPR[i] + TPR[i+1])/2 = (1 - 0)·(1 + 2/3)/2 + 0 = 5/6
        Assert.That(Value(Fed()), Is.EqualTo(5.0 / 6).Within(1e-6));
    }

    [Test]
    public void RocMinoringAndMajoring()
    {
        Assert.That(Value(Fed(summation: "minoring")), Is.EqualTo(2.0 / 3).Within(1e-6));  // 1·min(1, 2/3)
        Assert.That(Value(Fed(summation: "majoring")), Is.EqualTo(1.0).Within(1e-6));      // 1·max(1, 2/3)
    }

    [Test]
    public void PrInterpolationUsesKerasClosedForm()
    {
        // P = TP + FP = [4, 2, 0]; dTP = [1, 2]; dP = [2, 2]; slope = [0.5, 1]; intercept = TP[1:] - slope·P[1:] = [1, 0]
        // P ratio = [4/2, 1 (P[2] = 0)]; increments = slope·(dTP + intercept·ln ratio)/(TP[1:] + FN[1:]):
        //   0.5·(1 + ln 2)/3 = 0.282191, 1·(2 + 0)/3 = 0.666667 → 0.948858
        double expected = 0.5 * (1 + Math.Log(2)) / 3 + 2.0 / 3;
        Assert.That(Value(Fed(curve: "PR")), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void PrRiemannSums()
    {
        // x = recall [1, 2/3, 0], y = precision [3/4, 1, 0]
        Assert.That(Value(Fed("PR", "majoring")), Is.EqualTo(1.0 / 3 * 1 + 2.0 / 3 * 1).Within(1e-6));  // heights max: [1, 1]
        Assert.That(Value(Fed("PR", "minoring")), Is.EqualTo(1.0 / 3 * 0.75).Within(1e-6));             // heights min: [3/4, 0]
    }

    [Test]
    public void DefaultThresholdsAccumulateOverBatches()
    {
        // 200 thresholds 1/199 apart put every prediction in its own interval, so the trapezoidal ROC AUC equals the
        // fraction of (positive, negative) pairs ranked correctly.
        var m = new AUC();
        m.UpdateState(T(0, 1), T(0.1f, 0.35f));
        Assert.That(Value(m), Is.EqualTo(1.0).Within(1e-6));    // 0.35 > 0.1
        m.UpdateState(T(0, 1), T(0.4f, 0.8f));
        // positives {0.35, 0.8}, negatives {0.1, 0.4}: pairs correct: (0.35,0.1) (0.8,0.1) (0.8,0.4); wrong: (0.35,0.4) → 3/4
        Assert.That(Value(m), Is.EqualTo(0.75).Within(1e-6));
        m.ResetState();
        Assert.That(Value(m), Is.EqualTo(0.0));
    }

    [Test]
    public void FromLogitsAppliesASigmoid()
    {
        static float Logit(float p) => (float)Math.Log(p / (1 - p));
        var m = new AUC(fromLogits: true);
        m.UpdateState(T(0, 1, 0, 1), T(Logit(0.1f), Logit(0.35f), Logit(0.4f), Logit(0.8f)));
        Assert.That(Value(m), Is.EqualTo(0.75).Within(1e-6));
    }

    [Test]
    public void ExplicitUnevenThresholds()
    {
        // thresholds [-ε, 0.3, 0.5, 1+ε] on example A: TP [3, 3, 2, 0], FP [1, 0, 0, 0] → TPR [1, 1, 2/3, 0], FPR [1, 0, 0, 0]
        // ROC = (1 - 0)·(1 + 1)/2 = 1
        var m = new AUC(thresholds: [0.5, 0.3]);
        Assert.That(m.NumThresholds, Is.EqualTo(4));
        m.UpdateState(T(0, 1, 1, 1), T(0.1f, 0.6f, 0.4f, 0.8f));
        Assert.That(Value(m), Is.EqualTo(1.0).Within(1e-6));
    }

    [Test]
    public void ThresholdsAreKeras()
    {
        var m = new AUC(numThresholds: 5);
        Assert.That(m.Thresholds, Is.EqualTo(new[] { -1e-7, 0.25, 0.5, 0.75, 1 + 1e-7 }).Within(1e-12));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(numThresholds: 1))!.ParamName, Is.EqualTo("numThresholds"));
        Assert.That(Assert.Throws<ArgumentException>(() => new AUC(curve: "XY"))!.ParamName, Is.EqualTo("curve"));
        Assert.That(Assert.Throws<ArgumentException>(() => new AUC(summationMethod: "simpson"))!.ParamName, Is.EqualTo("summationMethod"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(thresholds: [1.5]));
        Assert.Throws<ArgumentException>(() => new AUC().UpdateState(T(0, 1, 1), T(0.2f, 0.4f)));
    }
}
