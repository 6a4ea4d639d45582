using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>The thresholded confusion-matrix preprocessing shared by <see cref="Precision"/> and <see cref="Recall"/>.</summary>
internal static class ConfusionChecks
{
    public static double Threshold(double? thresholds, int? topK, int? classId)
    {
        if (thresholds is double t && !(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(thresholds), t, $"Threshold values must be in [0, 1]. Received: {t}");
        if (topK is <= 0) throw new ArgumentOutOfRangeException(nameof(topK), topK, "topK must be a positive integer.");
        if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), classId, "classId must be >= 0.");
        return thresholds ?? (topK is null ? 0.5 : MetricUtils.NegInf);
    }

    /// <summary>
    /// Float masks (1/0) of positive labels and positive predictions, and the weights, all of one shape (Keras's
    /// <c>update_confusion_matrix_variables</c> for one threshold: top-k filtering, then the class column, then <c>pred &gt; threshold</c>).
    /// </summary>
    public static (Tensor labelPos, Tensor predPos, Tensor weights) Masks(Tensor yTrue, Tensor yPred, Tensor? sampleWeight,
        double threshold, int? topK, int? classId, string name)
    {
        var (labelPos, p, w) = Prepare(yTrue, yPred, sampleWeight, topK, classId, name);
        return (labelPos, p.gt(threshold).to(ScalarType.Float32), w);
    }

    /// <summary>
    /// Positive-label mask, predictions (top-k filtered, class column taken) and weights, all of one shape — the inputs of
    /// Keras's <c>update_confusion_matrix_variables</c> before thresholding.
    /// </summary>
    public static (Tensor labelPos, Tensor pred, Tensor weights) Prepare(Tensor yTrue, Tensor yPred, Tensor? sampleWeight,
        int? topK, int? classId, string name)
    {
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        MetricUtils.CheckSameSize(t, p, name);
        if (!t.shape.SequenceEqual(p.shape)) t = t.reshape(p.shape);
        Tensor w = sampleWeight is null ? torch.ones_like(p) : MetricUtils.BroadcastWeights(sampleWeight, p, name);
        if (topK is int k) p = MetricUtils.FilterTopK(p, k);
        if (classId is int c)
        {
            if (p.dim() < 2)
                throw new ArgumentException(
                    $"Metric '{name}': when classId is given, predictions must have shape (samples, classes); got ({string.Join(", ", p.shape)}).", nameof(yPred));
            if (c >= p.shape[^1])
                throw new ArgumentOutOfRangeException(nameof(classId), c, $"Metric '{name}': classId must be < the number of classes ({p.shape[^1]}).");
            t = t.narrow(-1, c, 1);
            p = p.narrow(-1, c, 1);
            w = w.narrow(-1, c, 1);
        }
        return (t.ne(0).to(ScalarType.Float32), p, w);
    }

    /// <summary>
    /// Weighted true positives, false positives, true negatives and false negatives at each threshold (a prediction is
    /// positive when strictly above the threshold), each of shape (thresholds).
    /// </summary>
    public static (Tensor tp, Tensor fp, Tensor tn, Tensor fn) Counts(Tensor yTrue, Tensor yPred, Tensor? sampleWeight,
        double[] thresholds, int? topK, int? classId, string name)
    {
        var (labelPos, p, w) = Prepare(yTrue, yPred, sampleWeight, topK, classId, name);
        var lp = labelPos.reshape(1, -1);
        var pf = p.reshape(1, -1);
        var wf = w.reshape(1, -1);
        var thr = torch.tensor(thresholds, dtype: ScalarType.Float32, device: p.device).reshape(-1, 1);
        var predPos = pf.gt(thr).to(ScalarType.Float32);
        var predNeg = 1 - predPos;
        var labelNeg = 1 - lp;
        return ((predPos * lp * wf).sum([1L]), (predPos * labelNeg * wf).sum([1L]),
                (predNeg * labelNeg * wf).sum([1L]), (predNeg * lp * wf).sum([1L]));
    }
}
