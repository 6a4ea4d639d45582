using NUnit.Framework;
using Sharpkeras.Losses;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;
using L = Sharpkeras.Losses.Losses;

namespace Sharpkeras.Tests.LossTests;

/// <summary>Every loss against values computed by hand from Keras's definitions.</summary>
public class LossValueTests
{
    [Test]
    public void RegressionLosses()
    {
        Close(new MeanSquaredError().Compute(T2(new double[,] { { 0, 1 }, { 0, 0 } }), T2(new double[,] { { 1, 1 }, { 1, 0 } })), 0.5);
        Close(new MeanAbsoluteError().Compute(T2(new double[,] { { 1, 2 } }), T2(new double[,] { { 2, 4 } })), 1.5);
        Close(new MeanAbsolutePercentageError().Compute(T2(new double[,] { { 2, 4 } }), T2(new double[,] { { 1, 5 } })), 37.5, 1e-4);
        Close(new MeanSquaredLogarithmicError().Compute(T2(new double[,] { { 0, Math.E - 1 } }), T2(new double[,] { { Math.E - 1, 0 } })), 1.0, 1e-5);
        Close(new CosineSimilarity().Compute(T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 1, 1 } })), -Math.Sqrt(0.5));
        Close(new Huber().Compute(T2(new double[,] { { 0, 0 } }), T2(new double[,] { { 0.5, 2 } })), 0.8125);
        Close(new Huber(delta: 2).Compute(T2(new double[,] { { 0 } }), T2(new double[,] { { 3 } })), 2 * 3 - 0.5 * 4);
        Close(new LogCosh().Compute(T2(new double[,] { { 0 } }), T2(new double[,] { { 1 } })), 0.4337808304830271);
        Close(new Poisson().Compute(T2(new double[,] { { 1 } }), T2(new double[,] { { 2 } })), 1.306852769440056);
        Close(new KLDivergence().Compute(T2(new double[,] { { 0.5, 0.5 } }), T2(new double[,] { { 0.25, 0.75 } })), 0.14384103622589042);
    }

    [Test]
    public void HingeLosses()
    {
        var t = T2(new double[,] { { 0, 1 } });
        var p = T2(new double[,] { { 0.3, 0.4 } });
        Close(new Hinge().Compute(t, p), 0.95);
        Close(new SquaredHinge().Compute(t, p), 1.025);
        // Labels already in {-1, 1} stay as they are.
        Close(new Hinge().Compute(T2(new double[,] { { -1, 1 } }), p), 0.95);
        Close(new CategoricalHinge().Compute(T2(new double[,] { { 0, 1, 0 } }), T2(new double[,] { { 0.2, 0.5, 0.3 } })), 0.8);
    }

    [Test]
    public void BinaryCrossentropyVariants()
    {
        Close(new BinaryCrossentropy().Compute(T2(new double[,] { { 1, 0 } }), T2(new double[,] { { 0.8, 0.4 } })),
            (-Math.Log(0.8) - Math.Log(0.6)) / 2);
        Close(new BinaryCrossentropy(fromLogits: true).Compute(T2(new double[,] { { 1 } }), T2(new double[,] { { 0 } })), Math.Log(2));
        Close(new BinaryCrossentropy(labelSmoothing: 0.2).Compute(T2(new double[,] { { 1 } }), T2(new double[,] { { 0.8 } })), 0.3617729874261988);
        Close(new BinaryFocalCrossentropy().Compute(T2(new double[,] { { 1 } }), T2(new double[,] { { 0.8 } })), 0.00892574205256839);
        Close(new BinaryFocalCrossentropy(applyClassBalancing: true).Compute(T2(new double[,] { { 1 } }), T2(new double[,] { { 0.8 } })),
            0.25 * 0.00892574205256839);
        // from logits: sigmoid(0) = 0.5, pt = 0.5, (0.5)^2 * ln 2
        Close(new BinaryFocalCrossentropy(fromLogits: true).Compute(T2(new double[,] { { 0 } }), T2(new double[,] { { 0 } })), 0.25 * Math.Log(2));
    }

    [Test]
    public void CategoricalCrossentropyVariants()
    {
        var t = T2(new double[,] { { 0, 1, 0 } });
        var p = T2(new double[,] { { 0.1, 0.6, 0.3 } });
        Close(new CategoricalCrossentropy().Compute(t, p), -Math.Log(0.6));
        Close(new CategoricalCrossentropy(fromLogits: true).Compute(t, T2(new double[,] { { 0, Math.Log(2), 0 } })), Math.Log(2));
        Close(new CategoricalCrossentropy(labelSmoothing: 0.3).Compute(t, p), 0.7593162887447908);
        // axis 0: classes along the first axis
        Close(new CategoricalCrossentropy(axis: 0).Compute(t.t(), p.t()), -Math.Log(0.6));
        Close(new CategoricalFocalCrossentropy().Compute(t, p), 0.02043302495063963);
        Close(new SparseCategoricalCrossentropy().Compute(torch.tensor(new long[] { 1 }), p), -Math.Log(0.6));
        Close(new SparseCategoricalCrossentropy(fromLogits: true).Compute(torch.tensor(new long[] { 1 }), T2(new double[,] { { 0, Math.Log(2), 0 } })), Math.Log(2));
    }

    [Test]
    public void IgnoreClassIsMaskedOutOfTheMean()
    {
        var p = T2(new double[,] { { 0.1, 0.6, 0.3 }, { 0.2, 0.2, 0.6 } });
        var y = torch.tensor(new long[] { 1, 2 });
        // Keras: the ignored entry gives 0 and carries a mask, so sum_over_batch_size divides by the one valid entry.
        Close(new SparseCategoricalCrossentropy(ignoreClass: 2).Compute(y, p), -Math.Log(0.6));
        Close(new SparseCategoricalCrossentropy(ignoreClass: 2, reduction: "sum").Compute(y, p), -Math.Log(0.6));
        Close(new SparseCategoricalCrossentropy(ignoreClass: 2, reduction: "none").Compute(y, p), [-Math.Log(0.6), 0]);
    }

    [Test]
    public void CtcMatchesTheEnumeratedPaths()
    {
        // One class besides the blank, uniform logits: T=1 -> p("1") = 1/2; T=2 -> paths 11, 10, 01 -> 3/4.
        var y = torch.tensor(new long[,] { { 1 } });
        Close(new CTC().Compute(y, torch.zeros(1, 1, 2)), Math.Log(2));
        Close(new CTC().Compute(y, torch.zeros(1, 2, 2)), -Math.Log(0.75));
        Assert.Throws<ArgumentException>(() => new CTC().Compute(torch.zeros(1, 2, 2), torch.zeros(1, 2, 2)));
        Assert.Throws<ArgumentException>(() => new CTC().Compute(y, torch.zeros(1, 2)));
    }

    [Test]
    public void SegmentationLosses()
    {
        var t = T2(new double[,] { { 1, 0 }, { 1, 1 } });
        var p = T2(new double[,] { { 0.5, 0.5 }, { 1, 0 } });
        // axis null: one number over everything
        Close(new Dice().Compute(t, p), 1 - 3.0 / 5.0);
        Close(new Tversky().Compute(t, p), 0.4);
        // per sample along axis 1: sample 0: 1 - 1/(1+1), sample 1: 1 - 2/(2+1)
        Close(new Dice(axis: [1], reduction: "none").Compute(t, p), [0.5, 1 - 2.0 / 3.0]);
        Close(new Tversky(alpha: 1, beta: 0, axis: [1], reduction: "none").Compute(t, p), [1 - 0.5 / 1.0, 0]);
    }

    [Test]
    public void CircleLossFollowsKerasFormula()
    {
        var e = T2(new double[,] { { 1, 0 }, { 1, 0 }, { 0, 1 } });
        var y = torch.tensor(new long[] { 0, 0, 1 });
        var loss = new Circle(gamma: 1, margin: 0.4);
        // queries 0 and 1: softplus(-0.16 - 0.16); query 2 has no positive: 0 and masked out of the mean.
        double q = Math.Log(1 + Math.Exp(-0.32));
        Close(loss.Compute(y, e), q);
        Close(new Circle(gamma: 1, margin: 0.4, reduction: "none").Compute(y, e), [q, q, 0]);
    }

    [Test]
    public void GeneralizedCrossEntropy()
    {
        Close(new CategoricalGeneralizedCrossEntropy(q: 0.5).Compute(torch.tensor(new long[] { 1 }), T2(new double[,] { { 0.36, 0.64 } })), 0.4);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalGeneralizedCrossEntropy(q: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalGeneralizedCrossEntropy(q: 0));
    }

    [Test]
    public void FunctionFormsGiveUnreducedValues()
    {
        var t = T2(new double[,] { { 0, 1 }, { 0, 0 } });
        var p = T2(new double[,] { { 1, 1 }, { 1, 3 } });
        Close(L.MeanSquaredError(t, p), [0.5, 5]);
        Close(L.MeanAbsoluteError(t, p), [0.5, 2]);
        Close(L.Huber(t, p, delta: 1), [0.25, (0.5 + 2.5) / 2]);
        Close(L.BinaryCrossentropy(T2(new double[,] { { 1 } }), T2(new double[,] { { 0 } }), fromLogits: true), [Math.Log(2)]);
        // Keras's squeeze_or_expand_to_same_rank: (2, 1) labels against (2,) predictions.
        Close(L.MeanSquaredError(T2(new double[,] { { 1 }, { 2 } }), T(1, 4)), [0, 4]);
    }

    [Test]
    public void BadArgumentsNameTheArgument()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossentropy(labelSmoothing: 2))!.ParamName, Is.EqualTo("labelSmoothing"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFocalCrossentropy(gamma: -1))!.ParamName, Is.EqualTo("gamma"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(alpha: 2))!.ParamName, Is.EqualTo("alpha"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(delta: double.NaN))!.ParamName, Is.EqualTo("delta"));
        Assert.That(Assert.Throws<ArgumentException>(() => new MeanSquaredError(reduction: "avg"))!.ParamName, Is.EqualTo("reduction"));
        Assert.That(Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(torch.zeros(2, 3), torch.zeros(2, 4)))!.Message,
            Does.Contain("does not match"));
        Assert.That(Assert.Throws<ArgumentException>(() => new SparseCategoricalCrossentropy().Compute(torch.zeros(new long[] { 3 }, ScalarType.Int64), torch.zeros(2, 4)))!.Message,
            Does.Contain("do not fit"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalCrossentropy(axis: 3).Compute(torch.zeros(2, 3), torch.ones(2, 3)));
    }
}

public class LossConfigTests
{
    [Test]
    public void EveryLossRoundTripsThroughItsConfig()
    {
        Loss[] losses =
        [
            new MeanSquaredError(reduction: "sum"), new MeanAbsoluteError(name: "m"), new MeanAbsolutePercentageError(),
            new MeanSquaredLogarithmicError(), new CosineSimilarity(axis: 0), new Huber(delta: 2.5), new LogCosh(), new Hinge(),
            new SquaredHinge(), new CategoricalHinge(), new KLDivergence(), new Poisson(reduction: "mean_with_sample_weight"),
            new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1, axis: 1),
            new BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.3, gamma: 1.5, fromLogits: true, labelSmoothing: 0.2),
            new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), new CategoricalFocalCrossentropy(alpha: 0.5, gamma: 3),
            new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 3, axis: 1), new CTC(), new Dice(axis: [1, 2]),
            new Tversky(alpha: 0.7, beta: 0.3), new Circle(gamma: 64, margin: 0.25, removeDiagonal: false),
            new CategoricalGeneralizedCrossEntropy(q: 0.7),
        ];
        foreach (var l in losses)
        {
            var copy = RoundTrip(l, x => x.GetConfig());
            Assert.That(copy.GetType(), Is.EqualTo(l.GetType()));
        }
    }

    [Test]
    public void EveryKerasLossHasItsAliases()
    {
        string[] keras =
        [
            "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
            "cosine_similarity", "huber", "log_cosh", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
            "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
            "sparse_categorical_crossentropy", "ctc", "dice", "tversky", "circle", "categorical_generalized_cross_entropy",
            "mse", "MSE", "mae", "mape", "msle", "kld", "bce", "BCE", "MeanSquaredError", "CategoricalGeneralizedCrossEntropy",
        ];
        foreach (var a in keras) Assert.That(Loss.Get(a), Is.Not.Null, a);
        Assert.That(Loss.Get("mape"), Is.TypeOf<MeanAbsolutePercentageError>());
        Assert.That(Loss.Get("bce"), Is.TypeOf<BinaryCrossentropy>());
        var e = Assert.Throws<ArgumentException>(() => Loss.Get("mean_squared_eror"))!;
        Assert.That(e.Message, Does.Contain("BCE, BinaryCrossentropy"));
    }
}
