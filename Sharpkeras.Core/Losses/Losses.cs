using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>
/// The function forms of Keras's losses (<c>keras.losses.mean_squared_error</c> and friends): each takes labels and
/// predictions and returns the unreduced values (one per sample), with Keras's numbers. With
/// <c>using Sharpkeras.Losses;</c> outside the Sharpkeras namespace they read as <c>Losses.MeanSquaredError(yTrue, yPred)</c>;
/// inside a namespace under <c>Sharpkeras</c> (where <c>Losses</c> names the namespace) write
/// <c>Sharpkeras.Losses.Losses.MeanSquaredError(yTrue, yPred)</c>. The loss classes of the same names call these.
/// </summary>
public static class Losses
{
    private static double Eps => Keras.Config.Epsilon;

    /// <summary>Labels cast to the predictions' float dtype and device, both brought to the same rank (Keras's <c>squeeze_or_expand_to_same_rank</c>), shapes checked.</summary>
    internal static (Tensor yTrue, Tensor yPred) Prepare(Tensor yTrue, Tensor yPred, string lossName, bool sameShape = true)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        var t = yTrue.to(p.dtype, p.device);
        (t, p) = Loss.SqueezeOrExpandToSameRank(t, p);
        if (sameShape && !t.shape.SequenceEqual(p.shape))
            throw new ArgumentException(
                $"Loss '{lossName}': y_true shape ({string.Join(", ", yTrue.shape)}) does not match y_pred shape ({string.Join(", ", yPred.shape)}).",
                nameof(yTrue));
        return (t, p);
    }

    private static long Canon(int axis, long rank, string lossName)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Loss '{lossName}': axis {axis} is out of range for predictions of rank {rank}.");
        return a;
    }

    /// <summary>mean((y − ŷ)², axis −1).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanSquaredError(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "mean_squared_error");
        return (t - p).square().mean([-1L]);
    }

    /// <summary>mean(|y − ŷ|, axis −1).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanAbsoluteError(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "mean_absolute_error");
        return (t - p).abs().mean([-1L]);
    }

    /// <summary>100 · mean(|(y − ŷ) / max(|y|, ε)|, axis −1).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanAbsolutePercentageError(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "mean_absolute_percentage_error");
        return 100.0 * ((t - p) / t.abs().clamp_min(Eps)).abs().mean([-1L]);
    }

    /// <summary>mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))², axis −1).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor MeanSquaredLogarithmicError(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "mean_squared_logarithmic_error");
        return ((p.clamp_min(Eps) + 1.0).log() - (t.clamp_min(Eps) + 1.0).log()).square().mean([-1L]);
    }

    /// <summary>−Σ(l2normalize(y)·l2normalize(ŷ)) along <paramref name="axis"/> (the L2 norm's square is floored at ε²).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="axis">The axis of the vectors.</param>
    public static Tensor CosineSimilarity(Tensor yTrue, Tensor yPred, int axis = -1)
    {
        var (t, p) = Prepare(yTrue, yPred, "cosine_similarity");
        long a = Canon(axis, p.dim(), "cosine_similarity");
        return -(L2Normalize(t, a) * L2Normalize(p, a)).sum([a]);
    }

    internal static Tensor L2Normalize(Tensor x, long axis)
    {
        var sq = x.square().sum([axis], keepdim: true);
        return x * sq.clamp_min(Eps * Eps).rsqrt();
    }

    /// <summary>mean(½e² where |e| ≤ δ, else δ|e| − ½δ², axis −1), e = ŷ − y.</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="delta">δ, where the loss turns linear.</param>
    public static Tensor Huber(Tensor yTrue, Tensor yPred, double delta = 1.0)
    {
        var (t, p) = Prepare(yTrue, yPred, "huber_loss");
        var e = p - t;
        var abs = e.abs();
        return torch.where(abs.le(delta), 0.5 * e.square(), delta * abs - 0.5 * delta * delta).mean([-1L]);
    }

    /// <summary>mean(log(cosh(ŷ − y)), axis −1), computed as x + softplus(−2x) − log 2.</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor LogCosh(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "log_cosh");
        var x = p - t;
        return (x + nn.functional.softplus(-2.0 * x) - Math.Log(2.0)).mean([-1L]);
    }

    /// <summary>Keras's <c>convert_binary_labels_to_hinge</c>: labels that are all 0/1 become −1/1 (decided on the device, no read-back).</summary>
    private static Tensor HingeLabels(Tensor t)
    {
        var isBinary = t.eq(0).logical_or(t.eq(1)).all();
        return torch.where(isBinary, 2.0 * t - 1.0, t);
    }

    /// <summary>mean(max(1 − y·ŷ, 0), axis −1); labels in {0, 1} are mapped to {−1, 1}.</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor Hinge(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "hinge");
        return (1.0 - HingeLabels(t) * p).clamp_min(0).mean([-1L]);
    }

    /// <summary>mean(max(1 − y·ŷ, 0)², axis −1); labels in {0, 1} are mapped to {−1, 1}.</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor SquaredHinge(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "squared_hinge");
        return (1.0 - HingeLabels(t) * p).clamp_min(0).square().mean([-1L]);
    }

    /// <summary>max(neg − pos + 1, 0) with pos = Σ y·ŷ and neg = max((1 − y)·ŷ) over the last axis.</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Predictions.</param>
    public static Tensor CategoricalHinge(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "categorical_hinge");
        var pos = (t * p).sum([-1L]);
        var neg = ((1.0 - t) * p).amax([-1L]);
        return (neg - pos + 1.0).clamp_min(0);
    }

    /// <summary>Σ y·log(y/ŷ) over the last axis, both clipped to [ε, 1].</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor KLDivergence(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "kl_divergence");
        var tc = t.clamp(Eps, 1.0);
        var pc = p.clamp(Eps, 1.0);
        return (tc * (tc / pc).log()).sum([-1L]);
    }

    /// <summary>mean(ŷ − y·log(ŷ + ε), axis −1).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    public static Tensor Poisson(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = Prepare(yTrue, yPred, "poisson");
        return (p - t * (p + Eps).log()).mean([-1L]);
    }

    /// <summary>Element-wise binary cross-entropy (Keras's backend op): probabilities clipped to [ε, 1 − ε], or the stable logits form.</summary>
    internal static Tensor ElementwiseBce(Tensor t, Tensor p, bool fromLogits)
    {
        if (fromLogits) return nn.functional.binary_cross_entropy_with_logits(p, t, reduction: nn.Reduction.None);
        var pc = p.clamp(Eps, 1.0 - Eps);
        return -(t * pc.log() + (1.0 - t) * (1.0 - pc).log());
    }

    private static void CheckSmoothing(double labelSmoothing) => CrossentropyOptions.CheckLabelSmoothing(labelSmoothing);

    /// <summary>mean(−(y·log p + (1 − y)·log(1 − p)), axis); label smoothing y·(1 − s) + s/2.</summary>
    /// <param name="yTrue">Labels in [0, 1].</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The axis averaged over.</param>
    public static Tensor BinaryCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
    {
        CheckSmoothing(labelSmoothing);
        var (t, p) = Prepare(yTrue, yPred, "binary_crossentropy");
        if (labelSmoothing > 0) t = t * (1.0 - labelSmoothing) + 0.5 * labelSmoothing;
        return ElementwiseBce(t, p, fromLogits).mean([Canon(axis, p.dim(), "binary_crossentropy")]);
    }

    /// <summary>
    /// mean((1 − pₜ)^γ · bce, axis) with pₜ = y·p + (1 − y)·(1 − p); with class balancing each term is also weighted by
    /// α for positives and 1 − α for negatives.
    /// </summary>
    /// <param name="yTrue">Labels in [0, 1].</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="applyClassBalancing">Weight by α / 1 − α.</param><param name="alpha">α.</param><param name="gamma">γ ≥ 0.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The axis averaged over.</param>
    public static Tensor BinaryFocalCrossentropy(Tensor yTrue, Tensor yPred, bool applyClassBalancing = false, double alpha = 0.25,
        double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
    {
        CheckSmoothing(labelSmoothing);
        var (t, p) = Prepare(yTrue, yPred, "binary_focal_crossentropy");
        if (labelSmoothing > 0) t = t * (1.0 - labelSmoothing) + 0.5 * labelSmoothing;
        if (fromLogits) p = p.sigmoid();
        var bce = ElementwiseBce(t, p, false);
        var pt = t * p + (1.0 - t) * (1.0 - p);
        var focal = (1.0 - pt).pow(gamma) * bce;
        if (applyClassBalancing) focal = (t * alpha + (1.0 - t) * (1.0 - alpha)) * focal;
        return focal.mean([Canon(axis, p.dim(), "binary_focal_crossentropy")]);
    }

    private static Tensor SmoothCategorical(Tensor t, Tensor p, double labelSmoothing, long axis)
    {
        CheckSmoothing(labelSmoothing);
        return labelSmoothing > 0 ? t * (1.0 - labelSmoothing) + labelSmoothing / p.shape[axis] : t;
    }

    /// <summary>−Σ y·log p along <paramref name="axis"/>; probabilities are divided by their sum and clipped to [ε, 1 − ε]; label smoothing y·(1 − s) + s/classes.</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The class axis.</param>
    public static Tensor CategoricalCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
    {
        var (t, p) = Prepare(yTrue, yPred, "categorical_crossentropy");
        long a = Canon(axis, p.dim(), "categorical_crossentropy");
        t = SmoothCategorical(t, p, labelSmoothing, a);
        var logp = fromLogits ? p.log_softmax(a) : (p / p.sum([a], keepdim: true)).clamp(Eps, 1.0 - Eps).log();
        return -(t * logp).sum([a]);
    }

    /// <summary>Σ α·(1 − p)^γ·(−y·log p) along <paramref name="axis"/> (p normalised and clipped as in categorical cross-entropy).</summary>
    /// <param name="yTrue">One-hot labels.</param><param name="yPred">Probabilities or logits.</param>
    /// <param name="alpha">α.</param><param name="gamma">γ ≥ 0.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="labelSmoothing">s in [0, 1].</param><param name="axis">The class axis.</param>
    public static Tensor CategoricalFocalCrossentropy(Tensor yTrue, Tensor yPred, double alpha = 0.25, double gamma = 2.0,
        bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
    {
        var (t, p) = Prepare(yTrue, yPred, "categorical_focal_crossentropy");
        long a = Canon(axis, p.dim(), "categorical_focal_crossentropy");
        t = SmoothCategorical(t, p, labelSmoothing, a);
        if (fromLogits) p = p.softmax(a);
        var output = (p / p.sum([a], keepdim: true)).clamp(Eps, 1.0 - Eps);
        var cce = -t * output.log();
        return ((1.0 - output).pow(gamma) * alpha * cce).sum([a]);
    }

    /// <summary>
    /// −log p[label] with integer labels; probabilities are divided by their sum and clipped to [ε, 1 − ε]. With
    /// <paramref name="ignoreClass"/> those labels give 0 and the result carries a mask (so a mean-reduced loss averages over the others).
    /// </summary>
    /// <param name="yTrue">Integer labels, shaped like the predictions without the class axis (or with it as 1).</param>
    /// <param name="yPred">Probabilities or logits.</param>
    /// <param name="fromLogits">Whether <paramref name="yPred"/> holds logits.</param>
    /// <param name="ignoreClass">A label that contributes nothing, or null.</param><param name="axis">The class axis.</param>
    public static Tensor SparseCategoricalCrossentropy(Tensor yTrue, Tensor yPred, bool fromLogits = false, int? ignoreClass = null, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        const string name = "sparse_categorical_crossentropy";
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        long a = Canon(axis, p.dim(), name);
        if (a != p.dim() - 1) p = p.movedim([a], [-1L]);
        var t = yTrue.to(p.device);
        if (t.dim() == p.dim() && t.shape[a] == 1) t = t.squeeze(a);
        if (t.dtype != ScalarType.Int64) t = t.to(ScalarType.Int64);
        if (t.dim() != p.dim() - 1 || !t.shape.SequenceEqual(p.shape[..^1]))
            throw new ArgumentException(
                $"Loss '{name}': integer labels of shape ({string.Join(", ", yTrue.shape)}) do not fit predictions of shape ({string.Join(", ", yPred.shape)}).",
                nameof(yTrue));
        var logp = fromLogits ? p.log_softmax(-1) : (p / p.sum([-1L], keepdim: true)).clamp(Eps, 1.0 - Eps).log();
        Tensor safeT = t;
        Tensor? keep = null;
        if (ignoreClass is int ic)
        {
            keep = t.ne(ic);
            safeT = t.where(keep, torch.zeros_like(t));
        }
        var nll = -logp.gather(-1, safeT.unsqueeze(-1)).squeeze(-1);
        if (keep is not null)
        {
            nll = torch.where(keep, nll, torch.zeros_like(nll));
            Layer.SetMask(nll, keep);
        }
        return nll;
    }

    /// <summary>
    /// Connectionist temporal classification: labels (batch, maxLabelLength) of integers where 0 is both the blank and
    /// the padding (label length = count of non-zero labels); predictions (batch, time, classes) are logits. The loss per sample is −log p(labels).
    /// </summary>
    /// <param name="yTrue">Integer labels (batch, maxLabelLength).</param><param name="yPred">Logits (batch, time, classes).</param>
    public static Tensor CTC(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.dim() != 2)
            throw new ArgumentException($"Loss 'ctc': targets y_true are expected to have shape (batch_size, max_length); got ({string.Join(", ", yTrue.shape)}).", nameof(yTrue));
        if (yPred.dim() != 3)
            throw new ArgumentException($"Loss 'ctc': logits y_pred are expected to have shape (batch_size, max_length, num_classes); got ({string.Join(", ", yPred.shape)}).", nameof(yPred));
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        var t = yTrue.to(ScalarType.Int64, p.device);
        long batch = p.shape[0], time = p.shape[1];
        var inputLengths = torch.full([batch], time, dtype: ScalarType.Int64, device: p.device);
        var targetLengths = t.ne(0).sum([-1L]).to(ScalarType.Int64);
        var logProbs = p.transpose(0, 1).log_softmax(-1);
        return nn.functional.ctc_loss(logProbs, t, inputLengths, targetLengths, blank: 0, reduction: nn.Reduction.None);
    }

    private static long[] Axes(int[]? axis, long rank, string lossName) =>
        axis is null ? Enumerable.Range(0, (int)rank).Select(i => (long)i).ToArray() : axis.Select(a => Canon(a, rank, lossName)).Distinct().ToArray();

    /// <summary>1 − 2·Σ(y·ŷ) / (Σy + Σŷ + ε), summed over <paramref name="axis"/> (null: every axis, giving one number).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param><param name="axis">Axes to sum over (null: all).</param>
    public static Tensor Dice(Tensor yTrue, Tensor yPred, int[]? axis = null)
    {
        var (t, p) = Prepare(yTrue, yPred, "dice");
        var ax = Axes(axis, p.dim(), "dice");
        var inter = (t * p).sum(ax);
        return 1.0 - 2.0 * inter / (t.sum(ax) + p.sum(ax) + Eps);
    }

    /// <summary>1 − TP / (TP + α·FP + β·FN + ε), with TP = Σŷ·y, FP = Σ(1 − y)·ŷ, FN = Σy·(1 − ŷ) over <paramref name="axis"/> (null: all).</summary>
    /// <param name="yTrue">Labels.</param><param name="yPred">Predictions.</param>
    /// <param name="alpha">Weight of false positives.</param><param name="beta">Weight of false negatives.</param><param name="axis">Axes to sum over (null: all).</param>
    public static Tensor Tversky(Tensor yTrue, Tensor yPred, double alpha = 0.5, double beta = 0.5, int[]? axis = null)
    {
        var (t, p) = Prepare(yTrue, yPred, "tversky");
        var ax = Axes(axis, p.dim(), "tversky");
        var inter = (p * t).sum(ax);
        var fp = ((1.0 - t) * p).sum(ax);
        var fn = (t * (1.0 - p)).sum(ax);
        return 1.0 - inter / (inter + fp * alpha + fn * beta + Eps);
    }

    /// <summary>
    /// Circle loss (Sun et al. 2020) over L2-normalised embeddings, on cosine distances d = max(1 − ŷ·refᵀ, 0): positive pairs
    /// weigh max(m + d, 0) with target m, negative pairs max(1 + m − d, 0) with target 1 − m; each query's loss is
    /// softplus(logsumexp(−γ·wₚ·(m − d)) + logsumexp(γ·wₙ·(1 − m − d))). The result carries the mask "loss &gt; 0".
    /// </summary>
    /// <param name="yTrue">Integer labels (batch).</param><param name="yPred">Embeddings (batch, dim), L2-normalised.</param>
    /// <param name="refLabels">Reference labels (default: <paramref name="yTrue"/>).</param>
    /// <param name="refEmbeddings">Reference embeddings (default: <paramref name="yPred"/>).</param>
    /// <param name="removeDiagonal">Drop self-pairs from the positives.</param>
    /// <param name="gamma">Scale γ.</param><param name="margin">Margin m.</param>
    public static Tensor Circle(Tensor yTrue, Tensor yPred, Tensor? refLabels = null, Tensor? refEmbeddings = null,
        bool removeDiagonal = true, double gamma = 80.0, double margin = 0.4)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        var t = yTrue.to(ScalarType.Int64, p.device).reshape(-1, 1);
        var refE = refEmbeddings?.to(p.dtype, p.device) ?? p;
        var refL = (refLabels?.to(ScalarType.Int64, p.device) ?? t).reshape(-1, 1);
        var dist = (1.0 - p.matmul(refE.t())).clamp_min(0.0);
        var pos = t.eq(refL.t());
        var neg = pos.logical_not();
        if (removeDiagonal) pos = pos.logical_and(torch.eye(t.shape[0], refL.shape[0], dtype: ScalarType.Bool, device: p.device).logical_not());
        var posF = pos.to(dist.dtype);
        var negF = neg.to(dist.dtype);
        var posW = ((margin + dist) * posF).clamp_min(0.0);
        var negW = ((1.0 + margin - dist) * negF).clamp_min(0.0);
        var posWd = -1.0 * gamma * posW * (margin - dist);
        var negWd = gamma * negW * ((1.0 - margin) - dist);
        var ninf = torch.full_like(dist, double.NegativeInfinity);
        var pLoss = torch.where(pos, posWd, ninf).logsumexp(1);
        var nLoss = torch.where(neg, negWd, ninf).logsumexp(1);
        var loss = nn.functional.softplus(pLoss + nLoss);
        Layer.SetMask(loss, loss.gt(0));
        return loss;
    }

    /// <summary>(1 − p^q) / q with p the predicted probability of the integer label (Zhang &amp; Sabuncu 2018).</summary>
    /// <param name="yTrue">Integer labels.</param><param name="yPred">Probabilities (batch, classes).</param><param name="q">q in (0, 1).</param>
    public static Tensor CategoricalGeneralizedCrossEntropy(Tensor yTrue, Tensor yPred, double q)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (!(q > 0 && q < 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "q must be in the interval (0, 1).");
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        var t = yTrue.to(ScalarType.Int64, p.device);
        if (t.dim() == p.dim() && t.shape[^1] == 1) t = t.squeeze(-1);
        var oneHot = nn.functional.one_hot(t, p.shape[^1]).to(p.dtype);
        var pt = (p * oneHot).sum([-1L]);
        return (1.0 - pt.pow(q)) / q;
    }
}
