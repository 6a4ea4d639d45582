using NUnit.Framework;
using Sharpkeras.Metrics;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.Metrics.MetricTestUtil;

namespace Sharpkeras.Tests.Metrics;

public class TopKAccuracyTests
{
    private static readonly float[,] Preds = { { 0.1f, 0.9f, 0.8f }, { 0.05f, 0.95f, 0f } };

    [Test]
    public void TopKCategoricalAccuracy()
    {
        var k1 = new TopKCategoricalAccuracy(k: 1);
        k1.UpdateState(T2(new float[,] { { 0, 0, 1 }, { 0, 1, 0 } }), T2(Preds));
        Assert.That(Value(k1), Is.EqualTo(0.5).Within(1e-7));   // class 2 (0.8) is not the top 1; class 1 (0.95) is
        var k2 = new TopKCategoricalAccuracy(k: 2);
        k2.UpdateState(T2(new float[,] { { 0, 0, 1 }, { 0, 1, 0 } }), T2(Preds));
        Assert.That(Value(k2), Is.EqualTo(1.0).Within(1e-7));   // 0.8 is the 2nd largest
        k2.UpdateState(T2(new float[,] { { 1, 0, 0 } }), T2(new float[,] { { 0.1f, 0.2f, 0.7f } }));
        Assert.That(Value(k2), Is.EqualTo(2.0 / 3).Within(1e-7)); // 0.1 < 2nd largest 0.2
        var ties = new TopKCategoricalAccuracy(k: 1);
        ties.UpdateState(T2(new float[,] { { 0, 1, 0 } }), T2(new float[,] { { 0.5f, 0.5f, 0.5f } }));
        Assert.That(Value(ties), Is.EqualTo(1.0));               // a tie with the k-th score counts (Keras's in_top_k)
        var all = new TopKCategoricalAccuracy();                 // k 5 > 3 classes: every target is in the top 5
        all.UpdateState(T2(new float[,] { { 1, 0, 0 } }), T2(new float[,] { { 0.1f, 0.2f, 0.7f } }));
        Assert.That(Value(all), Is.EqualTo(1.0));
        Assert.That(all.K, Is.EqualTo(5));
        Assert.That(all.Name, Is.EqualTo("top_k_categorical_accuracy"));
    }

    [Test]
    public void SparseTopKCategoricalAccuracy()
    {
        var k1 = new SparseTopKCategoricalAccuracy(k: 1);
        k1.UpdateState(torch.tensor(new long[] { 2, 1 }), T2(Preds));
        Assert.That(Value(k1), Is.EqualTo(0.5).Within(1e-7));
        k1.UpdateState(torch.tensor(new long[] { 2 }).reshape(1, 1), T2(new float[,] { { 0.1f, 0.2f, 0.7f } })); // (N, 1) labels
        Assert.That(Value(k1), Is.EqualTo(2.0 / 3).Within(1e-7));
        k1.ResetState();
        Assert.That(Value(k1), Is.EqualTo(0.0));
        Assert.Throws<ArgumentException>(() => k1.UpdateState(torch.tensor(new long[] { 1, 2, 0 }).reshape(1, 3, 1, 1), T2(Preds)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTopKCategoricalAccuracy(k: 0));
    }
}
