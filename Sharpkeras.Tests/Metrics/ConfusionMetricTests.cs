using NUnit.Framework;
using Sharpkeras.Metrics;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.Metrics.MetricTestUtil;

namespace Sharpkeras.Tests.Metrics;

public class ConfusionMetricTests
{
    // batch 1: yTrue [0, 1, 1, 1], yPred [1, 0, 1, 1]           → TP 2, FP 1, FN 1
    // batch 2: yTrue [1, 1, 0, 0], yPred [0.7, 0.5, 0.9, 0.6]   → TP 1 (0.7), FP 2 (0.9, 0.6), FN 1 (0.5 is not > 0.5)

    [Test]
    public void PrecisionAccumulatesOverBatches()
    {
        var m = new Precision();
        m.UpdateState(T(0, 1, 1, 1), T(1, 0, 1, 1));
        Assert.That(Value(m), Is.EqualTo(2.0 / 3).Within(1e-7));
        m.UpdateState(T(1, 1, 0, 0), T(0.7f, 0.5f, 0.9f, 0.6f));
        Assert.That(Value(m), Is.EqualTo(0.5).Within(1e-7));   // 3/(3 + 3)
        m.ResetState();
        Assert.That(Value(m), Is.EqualTo(0.0));
        m.UpdateState(T(0, 1, 1, 1), T(1, 0, 1, 1), sampleWeight: T(0, 0, 1, 0));
        Assert.That(Value(m), Is.EqualTo(1.0).Within(1e-7));   // Keras's documented example
    }

    [Test]
    public void RecallAccumulatesOverBatches()
    {
        var m = new Recall();
        m.UpdateState(T(0, 1, 1, 1), T(1, 0, 1, 1));
        Assert.That(Value(m), Is.EqualTo(2.0 / 3).Within(1e-7));
        m.UpdateState(T(1, 1, 0, 0), T(0.7f, 0.5f, 0.9f, 0.6f));
        Assert.That(Value(m), Is.EqualTo(0.6).Within(1e-7));   // 3/(3 + 2)
        m.ResetState();
        Assert.That(Value(m), Is.EqualTo(0.0));
    }

    [Test]
    public void ThresholdTopKAndClassId()
    {
        var p = new Precision(thresholds: 0.65);
        p.UpdateState(T(1, 1, 0, 0), T(0.7f, 0.5f, 0.9f, 0.6f));
        Assert.That(Value(p), Is.EqualTo(0.5).Within(1e-7));   // positives 0.7 (TP) and 0.9 (FP)

        // topK: only the k highest scores of the row are positive
        var yTrue = T2(new float[,] { { 0, 0, 1, 1 } });
        var yPred = T2(new float[,] { { 0.9f, 0.8f, 0.3f, 0.2f } });
        var top2 = new Precision(topK: 2);
        top2.UpdateState(yTrue, yPred);
        Assert.That(Value(top2), Is.EqualTo(0.0));             // predicted classes 0 and 1, both wrong
        var top3 = new Precision(topK: 3);
        top3.UpdateState(yTrue, yPred);
        Assert.That(Value(top3), Is.EqualTo(1.0 / 3).Within(1e-7));
        var r3 = new Recall(topK: 3);
        r3.UpdateState(yTrue, yPred);
        Assert.That(Value(r3), Is.EqualTo(0.5).Within(1e-7));  // class 2 found, class 3 missed

        // classId: column 1 has labels [0, 1, 1] and predictions [0.7, 0.9, 0.4] → TP 1, FP 1, FN 1
        var labels = T2(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 1, 0 } });
        var preds = T2(new float[,] { { 0.6f, 0.7f, 0.1f }, { 0.2f, 0.9f, 0.1f }, { 0.3f, 0.4f, 0.1f } });
        var pc = new Precision(classId: 1);
        pc.UpdateState(labels, preds);
        Assert.That(Value(pc), Is.EqualTo(0.5).Within(1e-7));
        var rc = new Recall(classId: 1);
        rc.UpdateState(labels, preds);
        Assert.That(Value(rc), Is.EqualTo(0.5).Within(1e-7));
    }

    [Test]
    public void BadInputsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(thresholds: 1.5))!.ParamName, Is.EqualTo("thresholds"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Recall(topK: 0))!.ParamName, Is.EqualTo("topK"));
        var m = new Precision();
        var e = Assert.Throws<ArgumentException>(() => m.UpdateState(T(1, 0, 1), T(0.5f, 0.5f)))!;
        Assert.That(e.Message, Does.Contain("precision"));
        Assert.That(Value(m), Is.EqualTo(0.0));   // state unchanged
        Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(classId: 5).UpdateState(T2(new float[,] { { 1, 0 } }), T2(new float[,] { { 1, 0 } })));
    }
}
