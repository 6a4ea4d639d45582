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
        var labelPos = t.ne(0).to(ScalarType.Float32);
        var predPos = p.gt(threshold).to(ScalarType.Float32);
        return (labelPos, predPos, w);
    }
}
