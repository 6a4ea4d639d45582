using NUnit.Framework;
using Sharpkeras.Metrics;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Metrics;

/// <summary>Keras's Mean/Sum/MeanMetricWrapper: divide-no-nan weighted means, masks on the predictions, directions.</summary>
public class MeanMaskDirectionTests
{
    private static double Value(Metric m) => Scalar(m.Result());

    [Test]
    public void MeanAndSumFollowKeras()
    {
        var m = new Mean();
        m.Update(T(1, 3, 5, 7));
        Assert.That(Value(m), Is.EqualTo(4.0).Within(1e-6));
        m.ResetState();
        m.Update(T(1, 3, 5, 7), T(1, 1, 0, 0));
        Assert.That(Value(m), Is.EqualTo(2.0).Within(1e-6));
        var s = new Sum();
        s.Update(T(1, 3, 5, 7));
        Assert.That(Value(s), Is.EqualTo(16.0).Within(1e-6));
        s.ResetState();
        s.Update(T(1, 3, 5, 7), T(1, 1, 0, 0));
        Assert.That(Value(s), Is.EqualTo(4.0).Within(1e-6));
    }

    [Test]
    public void NegativeWeightsUseDivideNoNan()
    {
        var m = new Mean();
        m.Update(T(1, 2), T(1, -1));
        Assert.That(Value(m), Is.EqualTo(0.0), "weights summing to 0 give 0");
        m.Update(T(1, 3), T(2, -1));
        // totals: (1 - 2) + (2 - 3) = -2; counts: 0 + 1 = 1
        Assert.That(Value(m), Is.EqualTo(-2.0).Within(1e-6));
    }

    [Test]
    public void RankTwoValuesArePerSampleMeans()
    {
        var m = new Mean();
        // Keras: per-sample means [1.5, 3.5], weights [1, 3]: (1.5 + 10.5) / 4
        m.Update(T2(new double[,] { { 1, 2 }, { 3, 4 } }), T(1, 3));
        Assert.That(Value(m), Is.EqualTo(3.0).Within(1e-6));
    }

    [Test]
    public void WrapperFoldsThePredictionMaskIntoTheWeights()
    {
        var yTrue = T2(new double[,] { { 1, 0, 1 }, { 0, 0, 0 } });
        var yPred = T2(new double[,] { { 0.9, 0.1, 0.1 }, { 0.2, 0.9, 0.9 } });
        var acc = new BinaryAccuracy();
        acc.UpdateState(yTrue, yPred);
        Assert.That(Value(acc), Is.EqualTo(0.5).Within(1e-6));
        acc.ResetState();
        Layer.SetMask(yPred, torch.tensor(new[,] { { true, true, false }, { true, false, false } }));
        acc.UpdateState(yTrue, yPred);
        Assert.That(Value(acc), Is.EqualTo(1.0).Within(1e-6), "only the three unmasked entries count, all correct");
        acc.ResetState();
        // mask and per-sample weights together: sample 0 (2 valid, both right) weighs 1, sample 1 (1 valid, right) weighs 0
        acc.UpdateState(yTrue, yPred, T(1, 0));
        Assert.That(Value(acc), Is.EqualTo(1.0).Within(1e-6));
    }

    [Test]
    public void BinaryAccuracyTakesWeightsShapedLikeThePredictions()
    {
        var acc = new BinaryAccuracy();
        acc.UpdateState(T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 0.9, 0.9 } }), T2(new double[,] { { 1, 3 } }));
        Assert.That(Value(acc), Is.EqualTo(0.25).Within(1e-6));
        var acc3 = new BinaryAccuracy(threshold: 0.95);
        acc3.UpdateState(torch.ones(2, 2, 2), torch.full(2, 2, 2, 0.96f));
        Assert.That(Value(acc3), Is.EqualTo(1.0).Within(1e-6));
    }

    [Test]
    public void MetricsHaveKerasDirections()
    {
        Assert.That(new BinaryAccuracy().Direction, Is.EqualTo("up"));
        Assert.That(new Sharpkeras.Metrics.Accuracy().Direction, Is.EqualTo("up"));
        Assert.That(new AUC().Direction, Is.EqualTo("up"));
        Assert.That(new Sharpkeras.Metrics.MeanSquaredError().Direction, Is.EqualTo("down"));
        Assert.That(new RootMeanSquaredError().Direction, Is.EqualTo("down"));
        Assert.That(new Mean().Direction, Is.Null);
        Assert.That(MetricDirections.Of(new Mean(name: "accuracy")), Is.EqualTo("up"), "unknown direction falls back to the name");
        Assert.That(MetricDirections.Of(new MeanMetricWrapper((t, p) => p, "custom", direction: "down")), Is.EqualTo("down"));
    }

    [Test]
    public void SparseTopKFromSortedIds()
    {
        var m = new SparseTopKCategoricalAccuracy(k: 2, fromSortedIds: true);
        m.UpdateState(torch.tensor(new long[] { 3, 1 }), torch.tensor(new long[,] { { 3, 0, 1 }, { 2, 0, 1 } }));
        Assert.That(Value(m), Is.EqualTo(0.5).Within(1e-6));
        RoundTrip(m, x => x.GetConfig());
    }
}
