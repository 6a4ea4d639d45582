using TorchSharp;
using static TorchSharp.torch;
using LossFns = Sharpkeras.Losses.Losses;

namespace Sharpkeras.Metrics;

/// <summary>
/// The function forms Keras exposes in <c>keras.metrics</c> (<c>keras.metrics.binary_accuracy</c>,
/// <c>keras.metrics.pearson_correlation</c>, <c>keras.metrics.mean_squared_error</c>, …): each takes labels and predictions
/// and returns the unreduced values (one per sample, or per element for <see cref="BinaryAccuracy"/>) with Keras's numbers.
/// The loss-like ones are the loss functions of <see cref="Sharpkeras.Losses.Losses"/>, which Keras exports under both names.
/// With <c>using Sharpkeras.Metrics;</c> outside the Sharpkeras namespace they read as <c>Metrics.BinaryAccuracy(yTrue, yPred)</c>;
/// inside a namespace under <c>Sharpkeras</c> write <c>Sharpkeras.Metrics.Metrics.BinaryAccuracy(yTrue, yPred)</c>.
/// The metric classes of the same names average these. String aliases ("binary_accuracy", …) still name the classes.
/// </summary>
public static class Metrics
{
    private static Tensor Floatx(Tensor x) => x.to(ScalarType.Float32);

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";

    private static Tensor AsFloat(Tensor t) => t.dtype.IsFloat() ? t : t.to(ScalarType.Float32);

    /// <summary>1 where (ŷ &gt; threshold) equals y, else 0, element-wise (labels and predictions brought to the same rank first).</summary>
    /// <param name="yTrue">Binary labels.</param><param name="yPred">Predictions.</param>
    /// <param name="threshold">Predictions above it count as 1 (default 0.5).</param>
    public static Tensor BinaryAccuracy(Tensor yTrue, Tensor yPred, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (double.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a number.");
        var t = yTrue.to(yPred.device);
        var (tt, p) = Losses.Loss.SqueezeOrExpandToSameRank(t, yPred);
        var predicted = p.gt(threshold).to(tt.dtype);
        return Floatx(tt.eq(predicted));
    }

    /// <summary>
    /// 1 where arg-max(ŷ) equals arg-max(y) along the last axis, else 0; one value per sample (shape <c>yTrue.shape[..^1]</c>).
    /// </summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Predictions (or logits).</param>
    public static Tensor CategoricalAccuracy(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.dim() == 0 || yPred.dim() == 0)
            throw new ArgumentException($"categorical_accuracy needs labels and predictions with a class axis; got labels {Shape(yTrue)} and predictions {Shape(yPred)}.", nameof(yTrue));
        var t = yTrue.to(yPred.device).argmax(-1);
        var orgShape = t.shape;
        bool reshape = false;
        if (t.dim() == yPred.dim() && t.dim() > 0 && t.shape[^1] == 1)
        {
            t = t.squeeze(-1);
            reshape = true;
        }
        var p = yPred.argmax(-1);
        if (!t.shape.SequenceEqual(p.shape))
            throw new ArgumentException($"categorical_accuracy: one-hot labels {Shape(yTrue)} do not fit predictions {Shape(yPred)}.", nameof(yTrue));
        var matches = Floatx(t.eq(p));
        return reshape ? matches.reshape(orgShape) : matches;
    }

    /// <summary>
    /// 1 where arg-max(ŷ) equals the integer label, else 0; one value per sample. Labels may carry a trailing axis of 1. As in Keras the
    /// comparison is made in the predictions' dtype (a label 2.5 matches nothing).
    /// </summary>
    /// <param name="yTrue">Integer labels, shaped like the predictions without the class axis.</param><param name="yPred">Predictions (or logits).</param>
    public static Tensor SparseCategoricalAccuracy(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yPred.dim() == 0)
            throw new ArgumentException($"sparse_categorical_accuracy needs predictions with a class axis; got {Shape(yPred)}.", nameof(yPred));
        // Integer labels are compared with the arg-max as integers (Keras casts both to the prediction's float type,
        // which gives the same answer for any label below 2^24); other labels as Keras does.
        var t = yTrue.dtype.IsInteger()
            ? yTrue.to(ScalarType.Int64, yPred.device) : yTrue.to(yPred.dtype, yPred.device);
        if (t.dim() == yPred.dim() && t.dim() > 0 && t.shape[^1] == 1) t = t.squeeze(-1);
        var p = yPred.argmax(-1);
        if (p.dtype != t.dtype) p = p.to(t.dtype);
        if (!t.shape.SequenceEqual(p.shape))
            throw new ArgumentException(
                $"sparse_categorical_accuracy: integer labels {Shape(yTrue)} do not fit predictions {Shape(yPred)}; expected labels of shape ({string.Join(", ", yPred.shape[..^1])}).",
                nameof(yTrue));
        return Floatx(t.eq(p));
    }

    private static int CheckK(int k) => k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive integer.");

    /// <summary>
    /// 1 where the score of arg-max(y) is at least the k-th largest score of the sample (ties count, as Keras's <c>in_top_k</c>), else 0;
    /// one value per sample.
    /// </summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Scores.</param><param name="k">How many top scores to look at (default 5).</param>
    public static Tensor TopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        CheckK(k);
        if (yTrue.dim() != yPred.dim() || yPred.dim() == 0 || yTrue.shape[^1] != yPred.shape[^1])
            throw new ArgumentException($"top_k_categorical_accuracy needs one-hot labels of the predictions' shape {Shape(yPred)}; got {Shape(yTrue)}.", nameof(yTrue));
        var t = yTrue.to(yPred.device).argmax(-1);
        return Floatx(MetricUtils.InTopK(t, yPred, k)).reshape(t.shape);
    }

    /// <summary>
    /// 1 where the integer label's score is at least the k-th largest score of the sample, else 0; one value per sample. With
    /// <paramref name="fromSortedIds"/> the predictions are class ids sorted by score (samples, N ≥ k) and a sample counts when its
    /// label is among the first k.
    /// </summary>
    /// <param name="yTrue">Integer labels (samples) or (samples, 1).</param><param name="yPred">Scores, or sorted ids.</param>
    /// <param name="k">How many top predictions to look at (default 5).</param>
    /// <param name="fromSortedIds">Whether <paramref name="yPred"/> holds sorted class ids.</param>
    public static Tensor SparseTopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5, bool fromSortedIds = false)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        CheckK(k);
        if (yPred.dim() == 0)
            throw new ArgumentException($"sparse_top_k_categorical_accuracy needs predictions with a class axis; got {Shape(yPred)}.", nameof(yPred));
        var t = fromSortedIds ? yTrue.to(yPred.dtype, yPred.device) : yTrue.to(ScalarType.Int64, yPred.device);
        var orgShape = t.shape;
        var flat = t.reshape(-1);
        var p = yPred.reshape(-1, yPred.shape[^1]);
        if (flat.shape[0] != p.shape[0])
            throw new ArgumentException($"sparse_top_k_categorical_accuracy: labels {Shape(yTrue)} do not fit predictions {Shape(yPred)} (one label per sample).", nameof(yTrue));
        Tensor matches = fromSortedIds
            ? flat.unsqueeze(1).eq(p.narrow(1, 0, Math.Min(k, p.shape[1]))).any(1)
            : MetricUtils.InTopK(flat, p, k);
        return Floatx(matches).reshape(orgShape);
    }

    /// <summary>
    /// Pearson's correlation along <paramref name="axis"/>: mean(ỹ·p̃) where ỹ and p̃ are the labels and predictions minus their
    /// mean, divided by their (population) standard deviation.
    /// </summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="axis">The axis correlated over.</param>
    public static Tensor PearsonCorrelation(Tensor yTrue, Tensor yPred, int axis = -1)
    {
        var (t, p, a) = Pair(yTrue, yPred, axis, "pearson_correlation");
        var tn = t - t.mean([a], keepdim: true);
        var pn = p - p.mean([a], keepdim: true);
        tn = tn / tn.std([a], unbiased: false, keepdim: true);
        pn = pn / pn.std([a], unbiased: false, keepdim: true);
        return (tn * pn).mean([a]);
    }

    /// <summary>
    /// Lin's concordance correlation along <paramref name="axis"/>: mean(2·(y − mean(ŷ))·(ŷ − mean(ŷ)) / (var(y) + var(ŷ) +
    /// (mean(y) − mean(ŷ))² + ε)), with population variances — Keras's formula, which equals 2·cov/(…) since the deviations of ŷ sum to 0.
    /// </summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="axis">The axis correlated over.</param>
    public static Tensor ConcordanceCorrelation(Tensor yTrue, Tensor yPred, int axis = -1)
    {
        var (t, p, a) = Pair(yTrue, yPred, axis, "concordance_correlation");
        var tMean = t.mean([a], keepdim: true);
        var pMean = p.mean([a], keepdim: true);
        var tVar = (t - tMean).var([a], unbiased: false, keepdim: true);
        var pVar = (p - pMean).var([a], unbiased: false, keepdim: true);
        var covar = (t - pMean) * (p - pMean);
        var norm = tVar + pVar + (tMean - pMean).square();
        return (2.0 * covar / (norm + Keras.Config.Epsilon)).mean([a]);
    }

    private static (Tensor t, Tensor p, long axis) Pair(Tensor yTrue, Tensor yPred, int axis, string name)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var p = AsFloat(yPred);
        var t = yTrue.to(p.dtype, p.device);
        (t, p) = Losses.Loss.SqueezeOrExpandToSameRank(t, p);
        if (!t.shape.SequenceEqual(p.shape))
            throw new ArgumentException($"{name}: labels {Shape(yTrue)} do not match predictions {Shape(yPred)}.", nameof(yTrue));
        long rank = p.dim();
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{name}: axis {axis} is out of range for predictions of rank {rank}.");
        return (t, p, a);
    }

    // ----------------------------------------------------------------- the loss functions Keras also exports as keras.metrics.*

    /// <summary>Keras's <c>keras.metrics.mean_squared_error</c> (= <see cref="Sharpkeras.Losses.Losses.MeanSquaredError"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanSquaredError(Tensor yTrue, Tensor yPred) => LossFns.MeanSquaredError(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.mean_absolute_error</c> (= <see cref="Sharpkeras.Losses.Losses.MeanAbsoluteError"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanAbsoluteError(Tensor yTrue, Tensor yPred) => LossFns.MeanAbsoluteError(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.mean_absolute_percentage_error</c> (= <see cref="Sharpkeras.Losses.Losses.MeanAbsolutePercentageError"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanAbsolutePercentageError(Tensor yTrue, Tensor yPred) => LossFns.MeanAbsolutePercentageError(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.mean_squared_logarithmic_error</c> (= <see cref="Sharpkeras.Losses.Losses.MeanSquaredLogarithmicError"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanSquaredLogarithmicError(Tensor yTrue, Tensor yPred) => LossFns.MeanSquaredLogarithmicError(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.huber</c> (= <see cref="Sharpkeras.Losses.Losses.Huber"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="delta">δ, where the loss turns linear.</param>
    public static Tensor Huber(Tensor yTrue, Tensor yPred, double delta = 1.0) => LossFns.Huber(yTrue, yPred, delta);

    /// <summary>Keras's <c>keras.metrics.log_cosh</c> (= <see cref="Sharpkeras.Losses.Losses.LogCosh"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor LogCosh(Tensor yTrue, Tensor yPred) => LossFns.LogCosh(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.hinge</c> (= <see cref="Sharpkeras.Losses.Losses.Hinge"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor Hinge(Tensor yTrue, Tensor yPred) => LossFns.Hinge(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.squared_hinge</c> (= <see cref="Sharpkeras.Losses.Losses.SquaredHinge"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor SquaredHinge(Tensor yTrue, Tensor yPred) => LossFns.SquaredHinge(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.categorical_hinge</c> (= <see cref="Sharpkeras.Losses.Losses.CategoricalHinge"/>).</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Predictions.</param>
    public static Tensor CategoricalHinge(Tensor yTrue, Tensor yPred) => LossFns.CategoricalHinge(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.kl_divergence</c> (= <see cref="Sharpkeras.Losses.Losses.KLDivergence"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor KLDivergence(Tensor yTrue, Tensor yPred) => LossFns.KLDivergence(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.poisson</c> (= <see cref="Sharpkeras.Losses.Losses.Poisson"/>).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor Poisson(Tensor yTrue, Tensor yPred) => LossFns.Poisson(yTrue, yPred);

    /// <summary>Keras's <c>keras.metrics.binary_crossentropy</c> (= <see cref="Sharpkeras.Losses.Losses.BinaryCrossentropy"/>).</summary>
    /// <param name="yTrue">Labels in [0, 1].</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The axis averaged over.</param>
    public static Tensor BinaryCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => LossFns.BinaryCrossentropy(yTrue, yPred, fromLogits, labelSmoothing, axis);

    /// <summary>Keras's <c>keras.metrics.binary_focal_crossentropy</c> (= <see cref="Sharpkeras.Losses.Losses.BinaryFocalCrossentropy"/>).</summary>
    /// <param name="yTrue">Labels in [0, 1].</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="applyClassBalancing">Weight by α / 1 − α.</param><param name="alpha">α.</param><param name="gamma">γ ≥ 0.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The axis averaged over.</param>
    public static Tensor BinaryFocalCrossentropy(Tensor yTrue, Tensor yPred, bool applyClassBalancing = false, double alpha = 0.25,
        double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => LossFns.BinaryFocalCrossentropy(yTrue, yPred, applyClassBalancing, alpha, gamma, fromLogits, labelSmoothing, axis);

    /// <summary>Keras's <c>keras.metrics.categorical_crossentropy</c> (= <see cref="Sharpkeras.Losses.Losses.CategoricalCrossentropy"/>).</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The class axis.</param>
    public static Tensor CategoricalCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => LossFns.CategoricalCrossentropy(yTrue, yPred, fromLogits, labelSmoothing, axis);

    /// <summary>Keras's <c>keras.metrics.categorical_focal_crossentropy</c> (= <see cref="Sharpkeras.Losses.Losses.CategoricalFocalCrossentropy"/>).</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="alpha">α.</param><param name="gamma">γ ≥ 0.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The class axis.</param>
    public static Tensor CategoricalFocalCrossentropy(Tensor yTrue, Tensor yPred, double alpha = 0.25, double gamma = 2.0,
        bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => LossFns.CategoricalFocalCrossentropy(yTrue, yPred, alpha, gamma, fromLogits, labelSmoothing, axis);

    /// <summary>Keras's <c>keras.metrics.sparse_categorical_crossentropy</c> (= <see cref="Sharpkeras.Losses.Losses.SparseCategoricalCrossentropy"/>).</summary>
    /// <param name="yTrue">Integer labels.</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="ignoreClass">A label that contributes nothing, or null.</param><param name="axis">The class axis.</param>
    public static Tensor SparseCategoricalCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, int? ignoreClass = null, int axis = -1)
        => LossFns.SparseCategoricalCrossentropy(yTrue, yPred, fromLogits, ignoreClass, axis);
}
