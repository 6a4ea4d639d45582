using NUnit.Framework;
using Sharpkeras.Losses;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LossTests;

/// <summary>Keras's reduce_weighted_values and apply_mask, by hand.</summary>
public class LossReductionMaskTests
{
    private static readonly Tensor V = T(1, 2, 3, 4);

    [Test]
    public void Reductions()
    {
        Close(Loss.Reduce(V, null, "sum_over_batch_size"), 2.5);
        Close(Loss.Reduce(V, null, "mean"), 2.5);
        Close(Loss.Reduce(V, null, "sum"), 10);
        Close(Loss.Reduce(V, null, "none"), [1, 2, 3, 4]);
        Close(Loss.Reduce(V, null, "mean_with_sample_weight"), 2.5);
        Close(Loss.Reduce(V, T(1, 1, 0, 0), "sum_over_batch_size"), 0.75);
        Close(Loss.Reduce(V, T(1, 1, 0, 0), "mean_with_sample_weight"), 1.5);
        Close(Loss.Reduce(V, T(1, 0, 0, 1), "mean_with_sample_weight"), 2.5);
        Close(Loss.Reduce(V, T(0, 0, 0, 0), "mean_with_sample_weight"), 0);
        Assert.Throws<ArgumentException>(() => Loss.Reduce(V, null, "average"));
    }

    [Test]
    public void MaskGivesTheMeanOverValidEntries()
    {
        var mask = torch.tensor(new[] { true, true, false, false });
        Close(Loss.ReduceWeightedValues(V, null, mask, "sum_over_batch_size"), 1.5);
        Close(Loss.ReduceWeightedValues(V, null, mask, "mean"), 1.5);
        Close(Loss.ReduceWeightedValues(V, null, mask, "sum"), 3);
        Close(Loss.ReduceWeightedValues(V, null, mask, "mean_with_sample_weight"), 1.5);
        Close(Loss.ReduceWeightedValues(V, null, mask, "none"), [1, 2, 0, 0]);
        // With weights: valid entries weigh total/valid = 2, times the sample weight: (1·2·2 + 2·1·2) / 4.
        Close(Loss.ReduceWeightedValues(V, T(2, 1, 1, 1), mask, "sum_over_batch_size"), 2.0);
        // Nothing valid: 0, not NaN.
        Close(Loss.ReduceWeightedValues(V, null, torch.zeros(4, dtype: ScalarType.Bool), "sum_over_batch_size"), 0);
    }

    [Test]
    public void ComputeReadsTheMaskAttachedToThePredictions()
    {
        var yPred = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3, 1);
        var yTrue = torch.zeros(2, 3, 1);
        Layer.SetMask(yPred, torch.tensor(new[,] { { true, true, false }, { true, false, false } }));
        // squared errors 1, 4, 16 are valid: mean 7
        Close(new MeanSquaredError().Compute(yTrue, yPred), 7.0);
        Close(new MeanSquaredError(reduction: "sum").Compute(yTrue, yPred), 21.0);
        // per-sample weights (2, 1): 1·2 + 4·2 + 16·1 over total/valid = 6/3 -> (2 + 8 + 16)·2 / 6
        Close(new MeanSquaredError().Compute(yTrue, yPred, T(2, 1)), 26.0 * 2 / 6);
        Layer.SetMask(yPred, null);
        Close(new MeanSquaredError().Compute(yTrue, yPred), 91.0 / 6);
    }

    [Test]
    public void MaskOnPredictionsCombinesWithIgnoreClass()
    {
        var p = T2(new double[,] { { 0.1, 0.6, 0.3 }, { 0.2, 0.2, 0.6 }, { 0.5, 0.25, 0.25 } });
        var y = torch.tensor(new long[] { 1, 2, 0 });
        Layer.SetMask(p, torch.tensor(new[] { true, true, false }));
        // sample 1 ignored by class, sample 2 by the mask: only -ln 0.6 remains.
        Close(new SparseCategoricalCrossentropy(ignoreClass: 2).Compute(y, p), -Math.Log(0.6));
    }

    [Test]
    public void GradientsThroughAMaskedLossAreFinite()
    {
        var w = torch.tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var yPred = w.reshape(1, 3, 1) * 1.0f;
        Layer.SetMask(yPred, torch.zeros(1, 3, dtype: ScalarType.Bool));
        var loss = new MeanSquaredError().Compute(torch.zeros(1, 3, 1), yPred);
        loss.backward();
        Close(w.grad!, [0, 0, 0]);
    }
}
