using NUnit.Framework;
using Sharpkeras.Metrics;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.Metrics.MetricTestUtil;

namespace Sharpkeras.Tests.Metrics;

public class RegressionMetricTests
{
    // batch 1: yTrue [1, 2], yPred [1.5, 1]; batch 2: yTrue [0, 4], yPred [0, 2]  (columns of shape (2, 1))
    // errors: 0.5, 1 | 0, 2

    private static void Feed(Metric m, bool both = true)
    {
        m.UpdateState(T(1, 2).reshape(2, 1), T(1.5f, 1).reshape(2, 1));
        if (both) m.UpdateState(T(0, 4).reshape(2, 1), T(0, 2).reshape(2, 1));
    }

    [Test]
    public void MeanAbsoluteErrorAccumulatesOverBatches()
    {
        var m = new MeanAbsoluteError();
        Feed(m, both: false);
        Assert.That(Value(m), Is.EqualTo(0.75).Within(1e-7));     // (0.5 + 1)/2
        m.UpdateState(T(0, 4).reshape(2, 1), T(0, 2).reshape(2, 1));
        Assert.That(Value(m), Is.EqualTo(0.875).Within(1e-7));    // (0.5 + 1 + 0 + 2)/4
        Assert.That(m.Name, Is.EqualTo("mean_absolute_error"));
    }

    [Test]
    public void MeanSquaredErrorAccumulatesOverBatches()
    {
        var m = new MeanSquaredError();
        Feed(m);
        Assert.That(Value(m), Is.EqualTo(1.3125).Within(1e-7));   // (0.25 + 1 + 0 + 4)/4
    }

    [Test]
    public void RootMeanSquaredErrorIsTheRootOfTheRunningMean()
    {
        var m = new RootMeanSquaredError();
        Feed(m);
        // √1.3125 = 1.1456439 (the mean of per-batch roots would be (√0.625 + √2)/2 = 1.1023913)
        Assert.That(Value(m), Is.EqualTo(Math.Sqrt(1.3125)).Within(1e-6));
    }

    [Test]
    public void PerSampleMeanOverTheLastAxis()
    {
        // two samples with two outputs: |[1,2]-[0,0]| → mean 1.5, |[3,3]-[0,0]| → 3; MAE = 2.25
        var m = new MeanAbsoluteError();
        m.UpdateState(T2(new float[,] { { 1, 2 }, { 3, 3 } }), T2(new float[,] { { 0, 0 }, { 0, 0 } }));
        Assert.That(Value(m), Is.EqualTo(2.25).Within(1e-7));
        // rank-1 labels against (N, 1) predictions are expanded, as in Keras
        var r = new RootMeanSquaredError();
        r.UpdateState(T(1, 2), T(0, 0).reshape(2, 1));
        Assert.That(Value(r), Is.EqualTo(Math.Sqrt(2.5)).Within(1e-6));  // (1 + 4)/2
    }

    [Test]
    public void ResetStateStartsOver()
    {
        var m = new RootMeanSquaredError();
        Feed(m);
        m.ResetState();
        Assert.That(Value(m), Is.EqualTo(0.0));
        m.UpdateState(T(3).reshape(1, 1), T(1).reshape(1, 1));
        Assert.That(Value(m), Is.EqualTo(2.0).Within(1e-6));
    }

    [Test]
    public void SampleWeightsWeightTheMean()
    {
        // errors 0.5 and 1 with weights 3 and 1: (1.5 + 1)/4 = 0.625
        var m = new MeanAbsoluteError();
        m.UpdateState(T(1, 2).reshape(2, 1), T(1.5f, 1).reshape(2, 1), T(3, 1));
        Assert.That(Value(m), Is.EqualTo(0.625).Within(1e-7));
    }

    [TestCase("mae", typeof(MeanAbsoluteError))]
    [TestCase("mean_absolute_error", typeof(MeanAbsoluteError))]
    [TestCase("mse", typeof(MeanSquaredError))]
    [TestCase("mean_squared_error", typeof(MeanSquaredError))]
    [TestCase("rmse", typeof(RootMeanSquaredError))]
    [TestCase("root_mean_squared_error", typeof(RootMeanSquaredError))]
    [TestCase("precision", typeof(Precision))]
    [TestCase("recall", typeof(Recall))]
    [TestCase("auc", typeof(AUC))]
    [TestCase("top_k_categorical_accuracy", typeof(TopKCategoricalAccuracy))]
    [TestCase("sparse_top_k_categorical_accuracy", typeof(SparseTopKCategoricalAccuracy))]
    public void AliasesMakeMetricsNamedByTheAlias(string alias, Type type)
    {
        var m = Metric.Get(alias);
        Assert.That(m, Is.InstanceOf(type));
        Assert.That(m.Name, Is.EqualTo(alias));
    }

    [Test]
    public void UnknownAliasListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Metric.Get("maee"))!;
        foreach (var a in new[] { "mae", "mse", "rmse", "precision", "recall", "auc", "top_k_categorical_accuracy" })
            Assert.That(e.Message, Does.Contain(a));
    }
}
