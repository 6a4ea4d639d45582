using NUnit.Framework;
using Sharpkeras.Metrics;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Metrics;

/// <summary>The rest of Keras's metrics, against values computed by hand from Keras's definitions.</summary>
public class CatalogueMetricTests
{
    private static double Run(Metric m, Tensor yTrue, Tensor yPred, Tensor? sw = null)
    {
        m.UpdateState(yTrue, yPred, sw);
        return Scalar(m.Result());
    }

    private static double[] RunV(Metric m, Tensor yTrue, Tensor yPred, Tensor? sw = null)
    {
        m.UpdateState(yTrue, yPred, sw);
        return Values(m.Result());
    }

    [Test]
    public void WrappedFunctionMetrics()
    {
        Assert.That(Run(new MeanAbsolutePercentageError(), T2(new double[,] { { 2, 4 } }), T2(new double[,] { { 1, 5 } })), Is.EqualTo(37.5).Within(1e-4));
        Assert.That(Run(new MeanSquaredLogarithmicError(), T2(new double[,] { { 0, Math.E - 1 } }), T2(new double[,] { { Math.E - 1, 0 } })), Is.EqualTo(1.0).Within(1e-5));
        Assert.That(Run(new Sharpkeras.Metrics.CosineSimilarity(), T2(new double[,] { { 1, 0 }, { 0, 1 } }), T2(new double[,] { { 1, 1 }, { 0, 1 } })),
            Is.EqualTo((Math.Sqrt(0.5) + 1) / 2).Within(1e-6));
        Assert.That(Run(new LogCoshError(), T2(new double[,] { { 0 } }), T2(new double[,] { { 1 } })), Is.EqualTo(0.4337808304830271).Within(1e-6));
        var t = T2(new double[,] { { 0, 1 } });
        var p = T2(new double[,] { { 0.3, 0.4 } });
        Assert.That(Run(new Sharpkeras.Metrics.Hinge(), t, p), Is.EqualTo(0.95).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.SquaredHinge(), t, p), Is.EqualTo(1.025).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.CategoricalHinge(), T2(new double[,] { { 0, 1, 0 } }), T2(new double[,] { { 0.2, 0.5, 0.3 } })), Is.EqualTo(0.8).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.KLDivergence(), T2(new double[,] { { 0.5, 0.5 } }), T2(new double[,] { { 0.25, 0.75 } })), Is.EqualTo(0.14384103622589042).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.Poisson(), T2(new double[,] { { 1 } }), T2(new double[,] { { 2 } })), Is.EqualTo(1.306852769440056).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.BinaryCrossentropy(), T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 0.8, 0.4 } })),
            Is.EqualTo((-Math.Log(0.8) - Math.Log(0.6)) / 2).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.CategoricalCrossentropy(), T2(new double[,] { { 0, 1, 0 } }), T2(new double[,] { { 0.1, 0.6, 0.3 } })),
            Is.EqualTo(-Math.Log(0.6)).Within(1e-6));
        Assert.That(Run(new Sharpkeras.Metrics.SparseCategoricalCrossentropy(fromLogits: true), torch.tensor(new long[] { 1 }), T2(new double[,] { { 0, Math.Log(2), 0 } })),
            Is.EqualTo(Math.Log(2)).Within(1e-6));
    }

    [Test]
    public void R2ScoreAggregations()
    {
        var y = T2(new double[,] { { 1, 0 }, { 2, 0 }, { 3, 1 } });
        var p = T2(new double[,] { { 1, 0 }, { 2, 0 }, { 4, 1 } });
        // column 0: SS_res 1, SS_tot 2 -> 0.5; column 1: SS_res 0 -> 1 (SS_tot 2/3)
        Assert.That(RunV(new R2Score(classAggregation: null), y, p), Is.EqualTo(new[] { 0.5, 1.0 }).Within(1e-6));
        Assert.That(Run(new R2Score(), y, p), Is.EqualTo(0.75).Within(1e-6));
        Assert.That(Run(new R2Score(classAggregation: "variance_weighted_average"), y, p), Is.EqualTo((2 * 0.5 + 2.0 / 3) / (2 + 2.0 / 3)).Within(1e-6));
        // adjusted with n = 3, p = 1: 1 - (1 - 0.5)·2/1
        Assert.That(Run(new R2Score(numRegressors: 1), T2(new double[,] { { 1 }, { 2 }, { 3 } }), T2(new double[,] { { 1 }, { 2 }, { 4 } })), Is.EqualTo(0.0).Within(1e-6));
        // too many regressors: plain R² (Keras falls back)
        Assert.That(Run(new R2Score(numRegressors: 5), T2(new double[,] { { 1 }, { 2 }, { 3 } }), T2(new double[,] { { 1 }, { 2 }, { 4 } })), Is.EqualTo(0.5).Within(1e-6));
        Assert.Throws<ArgumentException>(() => new R2Score(classAggregation: "median"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new R2Score(numRegressors: -1));
        Assert.Throws<ArgumentException>(() => new R2Score().UpdateState(T(1, 2), T(1, 2)));
    }

    private static readonly Tensor Yc = T(0, 1, 1, 0);
    private static readonly Tensor Pc = T(0.2, 0.6, 0.4, 0.7);

    [Test]
    public void ConfusionCounts()
    {
        Assert.That(Run(new TruePositives(), Yc, Pc), Is.EqualTo(1));
        Assert.That(Run(new FalsePositives(), Yc, Pc), Is.EqualTo(1));
        Assert.That(Run(new TrueNegatives(), Yc, Pc), Is.EqualTo(1));
        Assert.That(Run(new FalseNegatives(), Yc, Pc), Is.EqualTo(1));
        var w = T(1, 2, 3, 4);
        Assert.That(Run(new TruePositives(), Yc, Pc, w), Is.EqualTo(2));
        Assert.That(Run(new FalsePositives(), Yc, Pc, w), Is.EqualTo(4));
        Assert.That(Run(new TrueNegatives(), Yc, Pc, w), Is.EqualTo(1));
        Assert.That(Run(new FalseNegatives(), Yc, Pc, w), Is.EqualTo(3));
        Assert.That(RunV(new TruePositives([0.3, 0.65]), Yc, Pc), Is.EqualTo(new[] { 2.0, 0.0 }));
        Assert.That(RunV(new FalsePositives([0.3, 0.65]), Yc, Pc), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(Run(new TruePositives(0.3), Yc, Pc), Is.EqualTo(2));
        Assert.That(new TruePositives().Direction, Is.EqualTo("up"));
        Assert.That(new FalseNegatives().Direction, Is.EqualTo("down"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruePositives(1.5));
        Assert.Throws<ArgumentException>(() => new TruePositives(Array.Empty<double>()));
    }

    [Test]
    public void SensitivitySpecificityFamily()
    {
        // thresholds 0, .5, 1: (sens, spec, prec) = (1, 0, .5), (.5, .5, .5), (0, 1, 0)
        Assert.That(Run(new SensitivityAtSpecificity(0.5, numThresholds: 3), Yc, Pc), Is.EqualTo(0.5).Within(1e-6));
        Assert.That(Run(new SensitivityAtSpecificity(0.9, numThresholds: 3), Yc, Pc), Is.EqualTo(0.0).Within(1e-6));
        Assert.That(Run(new SpecificityAtSensitivity(0.5, numThresholds: 3), Yc, Pc), Is.EqualTo(0.5).Within(1e-6));
        Assert.That(Run(new PrecisionAtRecall(0.5, numThresholds: 3), Yc, Pc), Is.EqualTo(0.5).Within(1e-6));
        Assert.That(Run(new RecallAtPrecision(0.5, numThresholds: 3), Yc, Pc), Is.EqualTo(1.0).Within(1e-6));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new RecallAtPrecision(1.5))!.ParamName, Is.EqualTo("precision"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new SensitivityAtSpecificity(0.5, numThresholds: 0))!.ParamName, Is.EqualTo("numThresholds"));
    }

    [Test]
    public void FScores()
    {
        var y = T2(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 0 } });
        var p = T2(new double[,] { { 0.9, 0.1 }, { 0.8, 0.2 }, { 0.3, 0.7 } });
        // class 0: tp 1, fp 1, fn 1 -> 0.5; class 1: tp 0 -> 0; supports 2 and 1; micro: tp 1, fp 2, fn 2 -> 1/3
        Assert.That(RunV(new F1Score(), y, p), Is.EqualTo(new[] { 0.5, 0.0 }).Within(1e-5));
        Assert.That(Run(new F1Score(average: "macro"), y, p), Is.EqualTo(0.25).Within(1e-5));
        Assert.That(Run(new F1Score(average: "weighted"), y, p), Is.EqualTo(1.0 / 3).Within(1e-5));
        Assert.That(Run(new F1Score(average: "micro"), y, p), Is.EqualTo(1.0 / 3).Within(1e-5));
        Assert.That(RunV(new F1Score(threshold: 0.5), y, p), Is.EqualTo(new[] { 0.5, 0.0 }).Within(1e-5));
        Assert.That(RunV(new FBetaScore(beta: 2), y, p), Is.EqualTo(new[] { 0.5, 0.0 }).Within(1e-5));
        // beta 2, P = 1, R = 0.5: 5·0.5 / (4 + 0.5)
        Assert.That(RunV(new FBetaScore(beta: 2), T2(new double[,] { { 1 }, { 1 } }), T2(new double[,] { { 0.9 }, { 0 } })), Is.EqualTo(new[] { 2.5 / 4.5 }).Within(1e-5));
        Assert.Throws<ArgumentException>(() => new F1Score(average: "median"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FBetaScore(beta: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new F1Score(threshold: 0));
    }

    [Test]
    public void IoUFamily()
    {
        var y = T(0, 0, 1, 1);
        var p = T(0, 1, 0, 1);
        Assert.That(Run(new MeanIoU(2), y, p), Is.EqualTo(1.0 / 3).Within(1e-6));
        Assert.That(Run(new IoU(2, [0]), y, p), Is.EqualTo(1.0 / 3).Within(1e-6));
        // weighted confusion [[.2, .3], [.4, .1]]: .2/.9 and .1/.8
        Assert.That(Run(new MeanIoU(2), y, p, T(0.2, 0.3, 0.4, 0.1)), Is.EqualTo((0.2 / 0.9 + 0.1 / 0.8) / 2).Within(1e-6));
        // label 1 ignored: confusion [[1, 1], [0, 0]] -> class 0: 1/2, class 1 has no entries... denominator 1, IoU 0
        Assert.That(Run(new MeanIoU(2, ignoreClass: 1), y, p), Is.EqualTo(0.25).Within(1e-6));
        var yh = T2(new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 }, { 0, 1 } });
        var ph = T2(new double[,] { { 0.9, 0.1 }, { 0.2, 0.8 }, { 0.6, 0.4 }, { 0.3, 0.7 } });
        Assert.That(Run(new OneHotMeanIoU(2), yh, ph), Is.EqualTo(1.0 / 3).Within(1e-6));
        Assert.That(Run(new OneHotIoU(2, [1]), yh, ph), Is.EqualTo(1.0 / 3).Within(1e-6));
        Assert.That(Run(new BinaryIoU(), T(0, 1, 0, 1), T(0.2, 0.6, 0.5, 0.4)), Is.EqualTo(1.0 / 3).Within(1e-6));
        Assert.That(Run(new BinaryIoU(threshold: 0.65), T(0, 1, 0, 1), T(0.2, 0.7, 0.5, 0.4)), Is.EqualTo((2.0 / 3 + 0.5) / 2).Within(1e-6));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new IoU(2, [2]))!.ParamName, Is.EqualTo("targetClassIds"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MeanIoU(0))!.ParamName, Is.EqualTo("numClasses"));
        Assert.That(new MeanIoU(2).Name, Is.EqualTo("mean_io_u"));
    }

    [Test]
    public void ConfigsRoundTrip()
    {
        Metric[] metrics =
        [
            new MeanAbsolutePercentageError(name: "m"), new Sharpkeras.Metrics.CosineSimilarity(axis: 0), new LogCoshError(),
            new Sharpkeras.Metrics.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1),
            new Sharpkeras.Metrics.CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2, axis: 1),
            new Sharpkeras.Metrics.SparseCategoricalCrossentropy(fromLogits: true), new R2Score(classAggregation: null, numRegressors: 2),
            new TruePositives(0.3), new FalseNegatives([0.2, 0.4]), new TrueNegatives(), new SensitivityAtSpecificity(0.4, numThresholds: 10, classId: 1),
            new RecallAtPrecision(0.7), new F1Score(average: "macro", threshold: 0.4), new FBetaScore(average: "weighted", beta: 2),
            new IoU(3, [0, 2], ignoreClass: 1, sparseYPred: false), new MeanIoU(4), new OneHotIoU(3, [1]), new OneHotMeanIoU(3, ignoreClass: 0),
            new BinaryIoU([1], threshold: 0.3), new BinaryAccuracy(threshold: 0.7), new Sharpkeras.Metrics.Accuracy(),
        ];
        foreach (var m in metrics)
            Assert.That(RoundTrip(m, x => x.GetConfig()).GetType(), Is.EqualTo(m.GetType()));
    }

    [Test]
    public void KerasMetricAliases()
    {
        string[] aliases =
        [
            "mape", "msle", "cosine_similarity", "logcosh", "r2_score", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
            "poisson", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "true_positives",
            "true_negatives", "false_positives", "false_negatives", "f1_score", "fbeta_score", "binary_io_u", "sum", "mean", "accuracy",
        ];
        foreach (var a in aliases) Assert.That(Metric.Get(a).Name, Is.EqualTo(a));
        Assert.That(Metric.Get("r2_score"), Is.TypeOf<R2Score>());
    }
}

public class ThresholdListTests
{
    [Test]
    public void PrecisionAndRecallTakeAListOfThresholds()
    {
        var y = Sharpkeras.Tests.Registry.CatalogueTestUtil.T(0, 1, 1, 0);
        var p = Sharpkeras.Tests.Registry.CatalogueTestUtil.T(0.2, 0.6, 0.4, 0.7);
        var prec = new Precision([0.3, 0.65]);
        prec.UpdateState(y, p);
        Assert.That(Values(prec.Result()), Is.EqualTo(new[] { 2.0 / 3, 0.0 }).Within(1e-6));
        var rec = new Recall([0.3, 0.65]);
        rec.UpdateState(y, p);
        Assert.That(Values(rec.Result()), Is.EqualTo(new[] { 1.0, 0.0 }).Within(1e-6));
        var single = new Precision(thresholds: 0.3);
        single.UpdateState(y, p);
        Assert.That(Scalar(single.Result()), Is.EqualTo(2.0 / 3).Within(1e-6));
        Assert.That(RoundTrip(new Precision([0.1, 0.9], classId: 1), m => m.GetConfig()).ThresholdList, Is.EqualTo(new[] { 0.1, 0.9 }));
        Assert.That(RoundTrip(new Recall(thresholds: 0.4), m => m.GetConfig()).InitThresholds, Is.EqualTo(0.4));
        Assert.That(RoundTrip(new Recall(), m => m.GetConfig()).InitThresholds, Is.Null);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Precision([0.5, 1.5]));
        Assert.Throws<ArgumentException>(() => new Recall(Array.Empty<double>()));
    }
}

public class AucMultiLabelTests
{
    [Test]
    public void MultiLabelAveragesPerLabelCurves()
    {
        var y = Sharpkeras.Tests.Registry.CatalogueTestUtil.T2(new double[,] { { 1, 1 }, { 0, 0 } });
        var p = Sharpkeras.Tests.Registry.CatalogueTestUtil.T2(new double[,] { { 0.9, 0.1 }, { 0.1, 0.9 } });
        // label 0 is ranked perfectly (AUC 1), label 1 inversely (AUC 0)
        var multi = new AUC(numThresholds: 3, multiLabel: true);
        multi.UpdateState(y, p);
        Assert.That(Scalar(multi.Result()), Is.EqualTo(0.5).Within(1e-6));
        var weighted = new AUC(numThresholds: 3, multiLabel: true, labelWeights: [3, 1]);
        weighted.UpdateState(y, p);
        Assert.That(Scalar(weighted.Result()), Is.EqualTo(0.75).Within(1e-6));
        // flattened: tpr = fpr = [1, .5, 0] -> 0.5; label weights [1, 0] keep only label 0 -> 1
        var flat = new AUC(numThresholds: 3);
        flat.UpdateState(y, p);
        Assert.That(Scalar(flat.Result()), Is.EqualTo(0.5).Within(1e-6));
        var flatWeighted = new AUC(numThresholds: 3, labelWeights: [1, 0]);
        flatWeighted.UpdateState(y, p);
        Assert.That(Scalar(flatWeighted.Result()), Is.EqualTo(1.0).Within(1e-6));
        Assert.That(RoundTrip(new AUC(multiLabel: true, numLabels: 2, labelWeights: [1, 2]), m => m.GetConfig()).LabelWeights, Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(multiLabel: true, numLabels: 0));
        Assert.Throws<ArgumentException>(() => new AUC(numLabels: 3, labelWeights: [1, 2]));
        Assert.Throws<ArgumentException>(() => new AUC(labelWeights: [1, 2, 3]).UpdateState(y, p));
    }
}
