using NUnit.Framework;
using Sharpkeras.Metrics;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;
using M = Sharpkeras.Metrics.Metrics;

namespace Sharpkeras.Tests.MetricTests;

/// <summary>The function forms of keras.metrics, and the correlation metrics, against values worked out by hand from Keras's definitions.</summary>
public class MetricFunctionTests
{
    private static readonly Tensor Probs = T2(new double[,] { { 0.1, 0.9, 0.8 }, { 0.05, 0.95, 0 } });

    [Test]
    public void BinaryAccuracyIsElementwise()
    {
        // 0.98 > 0.5 → 1 = 1; 1 → 1; 0 → 0; 0.6 → 1 ≠ 0.
        var r = M.BinaryAccuracy(T2(new double[,] { { 1 }, { 1 }, { 0 }, { 0 } }), T2(new double[,] { { 0.98 }, { 1 }, { 0 }, { 0.6 } }));
        Assert.That(r.shape, Is.EqualTo(new long[] { 4, 1 }));
        Close(r, [1, 1, 1, 0]);
        Close(M.BinaryAccuracy(T(1, 1, 0, 0), T2(new double[,] { { 0.98 }, { 1 }, { 0 }, { 0.6 } }), threshold: 0.7), [1, 1, 1, 1]);
        // Integer labels compare with the thresholded predictions cast to their type.
        Close(M.BinaryAccuracy(torch.tensor(new long[] { 1, 0 }), T(0.2, 0.1)), [0, 1]);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => M.BinaryAccuracy(T(1), T(1), double.NaN))!.ParamName, Is.EqualTo("threshold"));
    }

    [Test]
    public void CategoricalAndSparseAccuracy()
    {
        var oneHot = T2(new double[,] { { 0, 0, 1 }, { 0, 1, 0 } });
        // arg-max of the predictions: 1 and 1; of the labels: 2 and 1.
        Close(M.CategoricalAccuracy(oneHot, Probs), [0, 1]);
        var s = M.SparseCategoricalAccuracy(torch.tensor(new long[,] { { 2 }, { 1 } }), Probs);
        Assert.That(s.shape, Is.EqualTo(new long[] { 2 }));
        Close(s, [0, 1]);
        Close(M.SparseCategoricalAccuracy(T(2, 1), Probs), [0, 1]);
        // Keras compares in the predictions' dtype: a label 1.5 matches no arg-max.
        Close(M.SparseCategoricalAccuracy(T(2, 1.5), Probs), [0, 0]);
        Assert.That(Assert.Throws<ArgumentException>(() => M.SparseCategoricalAccuracy(T(1, 2, 0), Probs))!.ParamName, Is.EqualTo("yTrue"));
        Assert.That(Assert.Throws<ArgumentException>(() => M.CategoricalAccuracy(T2(new double[,] { { 1, 0 } }), Probs))!.ParamName, Is.EqualTo("yTrue"));
    }

    [Test]
    public void TopKAccuracies()
    {
        var oneHot = T2(new double[,] { { 0, 0, 1 }, { 0, 1, 0 } });
        // k = 1: sample 0's target score 0.8 is below the top score 0.9; sample 1's 0.95 is the top.
        Close(M.TopKCategoricalAccuracy(oneHot, Probs, k: 1), [0, 1]);
        Close(M.TopKCategoricalAccuracy(oneHot, Probs, k: 2), [1, 1]);
        Close(M.SparseTopKCategoricalAccuracy(torch.tensor(new long[] { 2, 1 }), Probs, k: 1), [0, 1]);
        Close(M.SparseTopKCategoricalAccuracy(torch.tensor(new long[] { 2, 1 }), Probs, k: 2), [1, 1]);
        // Sorted ids: sample 0 ranks 1, 2, 0; sample 1 ranks 1, 0, 2.
        var ids = torch.tensor(new long[,] { { 1, 2, 0 }, { 1, 0, 2 } });
        Close(M.SparseTopKCategoricalAccuracy(torch.tensor(new long[] { 2, 1 }), ids, k: 1, fromSortedIds: true), [0, 1]);
        Close(M.SparseTopKCategoricalAccuracy(torch.tensor(new long[] { 2, 1 }), ids, k: 2, fromSortedIds: true), [1, 1]);
        // Labels of shape (2, 1) give one value per label, shaped like them.
        Assert.That(M.SparseTopKCategoricalAccuracy(torch.tensor(new long[,] { { 2 }, { 1 } }), Probs, k: 1).shape, Is.EqualTo(new long[] { 2, 1 }));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => M.TopKCategoricalAccuracy(oneHot, Probs, k: 0))!.ParamName, Is.EqualTo("k"));
        Assert.That(Assert.Throws<ArgumentException>(() => M.SparseTopKCategoricalAccuracy(T(1, 2, 0), Probs))!.ParamName, Is.EqualTo("yTrue"));
    }

    private static readonly Tensor CorrTrue = T2(new double[,] { { 0, 1, 0.5 }, { 1, 1, 0.2 } });
    private static readonly Tensor CorrPred = T2(new double[,] { { 0.1, 0.9, 0.5 }, { 1, 0.9, 0.2 } });

    [Test]
    public void PearsonCorrelationByHand()
    {
        // Row 0: deviations (−.5, .5, 0) and (−.4, .4, 0) are proportional → 1.
        // Row 1: Σ dev_t·dev_p = .08 + .0533 + .2667 = .4; σ_t = √(.426667/3), σ_p = √(.38/3) → (.4/3)/(σ_t·σ_p) = 0.99339927.
        double sT = Math.Sqrt(0.4266666667 / 3), sP = Math.Sqrt(0.38 / 3);
        double row1 = 0.4 / 3 / (sT * sP);
        Close(M.PearsonCorrelation(CorrTrue, CorrPred), [1.0, row1], 1e-5);
        Assert.That(row1, Is.EqualTo(0.99339927).Within(1e-7));
        var metric = new PearsonCorrelation();
        metric.UpdateState(CorrTrue, CorrPred);
        Assert.That(Scalar(metric.Result()), Is.EqualTo((1 + row1) / 2).Within(1e-5)); // Keras's docs: 0.9966996338993913
        // Along axis 0 (two points per column): every column is perfectly correlated or anti-correlated.
        Close(M.PearsonCorrelation(T2(new double[,] { { 0, 1 }, { 1, 0 } }), T2(new double[,] { { 0, 5 }, { 2, 7 } }), axis: 0), [1, -1]);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => M.PearsonCorrelation(CorrTrue, CorrPred, axis: 2))!.ParamName, Is.EqualTo("axis"));
    }

    [Test]
    public void ConcordanceCorrelationByHand()
    {
        // Row 0: 2·(.4/3) / (1/6 + .32/3 + 0²) = 0.97560976. Row 1: 2·(.4/3) / (.142222 + .126667 + (.7333 − .7)²) = 0.98765432.
        double r0 = 2 * (0.4 / 3) / (1.0 / 6 + 0.32 / 3);
        double r1 = 2 * (0.4 / 3) / (0.4266666667 / 3 + 0.38 / 3 + Math.Pow(2.2 / 3 - 0.7, 2));
        Close(M.ConcordanceCorrelation(CorrTrue, CorrPred), [r0, r1], 1e-5);
        Assert.That(r0, Is.EqualTo(0.97560976).Within(1e-7));
        Assert.That(r1, Is.EqualTo(0.98765432).Within(1e-7));
        var metric = new ConcordanceCorrelation();
        metric.UpdateState(CorrTrue, CorrPred);
        Assert.That(Scalar(metric.Result()), Is.EqualTo((r0 + r1) / 2).Within(1e-5)); // Keras's docs: 0.9816320385426076
        Assert.That(Assert.Throws<ArgumentException>(() => M.ConcordanceCorrelation(T(1, 2), T(1, 2, 3)))!.ParamName, Is.EqualTo("yTrue"));
    }

    [Test]
    public void CorrelationMetricsAliasesConfigAndDirection()
    {
        Assert.That(Metric.Get("pearson_correlation"), Is.TypeOf<PearsonCorrelation>());
        Assert.That(Metric.Get("PearsonCorrelation"), Is.TypeOf<PearsonCorrelation>());
        Assert.That(Metric.Get("concordance_correlation"), Is.TypeOf<ConcordanceCorrelation>());
        Assert.That(Metric.Get("ConcordanceCorrelation"), Is.TypeOf<ConcordanceCorrelation>());
        var p = RoundTrip(new PearsonCorrelation(name: "pcc", axis: 0), m => m.GetConfig());
        Assert.That((p.Name, p.Axis, p.Direction), Is.EqualTo(("pcc", 0, "up")));
        var c = RoundTrip(new ConcordanceCorrelation(axis: 1), m => m.GetConfig());
        Assert.That((c.Name, c.Axis, c.Direction), Is.EqualTo(("concordance_correlation", 1, "up")));
    }

    [Test]
    public void LossLikeFunctionsAreKerasLossFunctions()
    {
        var t = T2(new double[,] { { 0, 1 } });
        var p = T2(new double[,] { { 1, 1 } });
        Close(M.MeanSquaredError(t, p), [0.5]);
        Close(M.MeanAbsoluteError(t, p), [0.5]);
        Close(M.MeanAbsolutePercentageError(T2(new double[,] { { 2, 4 } }), T2(new double[,] { { 1, 5 } })), [37.5], 1e-4);
        Close(M.Huber(t, T2(new double[,] { { 3, 1 } }), delta: 1.0), [(3 - 0.5) / 2]);
        Close(M.Hinge(t, T2(new double[,] { { 0.3, 0.4 } })), [0.95]);
        Close(M.SquaredHinge(t, T2(new double[,] { { 0.3, 0.4 } })), [1.025]);
        Close(M.Poisson(T2(new double[,] { { 1 } }), T2(new double[,] { { 2 } })), [2 - Math.Log(2 + 1e-7)]);
        Close(M.BinaryCrossentropy(T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 0.8, 0.4 } })), [(-Math.Log(0.8) - Math.Log(0.6)) / 2]);
        Close(M.CategoricalCrossentropy(T2(new double[,] { { 0, 1 } }), T2(new double[,] { { 0.25, 0.75 } })), [-Math.Log(0.75)]);
        Close(M.SparseCategoricalCrossentropy(torch.tensor(new long[] { 1 }), T2(new double[,] { { 0.25, 0.75 } })), [-Math.Log(0.75)]);
        Close(M.KLDivergence(T2(new double[,] { { 0.5, 0.5 } }), T2(new double[,] { { 0.25, 0.75 } })), [0.14384103622589042]);
        Close(M.LogCosh(T2(new double[,] { { 0 } }), T2(new double[,] { { 1 } })), [Math.Log(Math.Cosh(1))]);
        Close(M.CategoricalHinge(T2(new double[,] { { 0, 1, 0 } }), T2(new double[,] { { 0.2, 0.5, 0.3 } })), [0.8]);
        Close(M.MeanSquaredLogarithmicError(T2(new double[,] { { 0, Math.E - 1 } }), T2(new double[,] { { Math.E - 1, 0 } })), [1.0]);
        // Focal forms: with γ = 0 and no balancing, binary focal = bce; categorical focal = α·cce.
        Close(M.BinaryFocalCrossentropy(T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 0.8, 0.4 } }), gamma: 0), [(-Math.Log(0.8) - Math.Log(0.6)) / 2]);
        Close(M.CategoricalFocalCrossentropy(T2(new double[,] { { 0, 1 } }), T2(new double[,] { { 0.25, 0.75 } }), alpha: 0.5, gamma: 0), [-0.5 * Math.Log(0.75)]);
    }

    [Test]
    public void MetricClassesAverageTheFunctions()
    {
        var oneHot = T2(new double[,] { { 0, 0, 1 }, { 0, 1, 0 } });
        var w = T(0.7, 0.3);
        var ca = new CategoricalAccuracy();
        ca.UpdateState(oneHot, Probs, w);
        Assert.That(Scalar(ca.Result()), Is.EqualTo(0.3).Within(1e-6)); // Keras's docs
        var sca = new SparseCategoricalAccuracy();
        sca.UpdateState(T2(new double[,] { { 2 }, { 1 } }), Probs, w);
        Assert.That(Scalar(sca.Result()), Is.EqualTo(0.3).Within(1e-6));
        var ba = new BinaryAccuracy();
        ba.UpdateState(T2(new double[,] { { 1 }, { 1 }, { 0 }, { 0 } }), T2(new double[,] { { 0.98 }, { 1 }, { 0 }, { 0.6 } }), T(1, 0, 0, 1));
        Assert.That(Scalar(ba.Result()), Is.EqualTo(0.5).Within(1e-6));
        var tk = new TopKCategoricalAccuracy(k: 1);
        tk.UpdateState(oneHot, Probs, w);
        Assert.That(Scalar(tk.Result()), Is.EqualTo(0.3).Within(1e-6));
    }
}
