using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Shared state of Precision, Recall and AUC (Keras's confusion-matrix metrics): true/false positive/negative
/// counts per threshold, a prediction counting as positive when it is greater than the threshold.
/// </summary>
public abstract class ConfusionMatrixMetric : Metric
{
    private readonly int _tp, _fp, _tn, _fn;
    private readonly double[] _thresholds;

    /// <summary>Creates the metric for these thresholds.</summary>
    protected ConfusionMatrixMetric(string name, double[] thresholds) : base(name)
    {
        if (thresholds.Length == 0) throw new ArgumentException("At least one threshold is needed.", nameof(thresholds));
        _thresholds = thresholds;
        long[] shape = [thresholds.Length];
        _tp = AddState("true_positives", shape);
        _fp = AddState("false_positives", shape);
        _tn = AddState("true_negatives", shape);
        _fn = AddState("false_negatives", shape);
    }

    /// <summary>The thresholds.</summary>
    public IReadOnlyList<double> Thresholds => _thresholds;

    /// <summary>Restricts to one class column (Keras's class_id), or null.</summary>
    protected int? ClassId { get; init; }

    /// <summary>Keeps only the top k predictions per sample as candidates (Keras's top_k), or null.</summary>
    protected int? TopKValue { get; init; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var p = yPred.detach().to(ScalarType.Float32);
        var t = yTrue.to(p.device).to(ScalarType.Float32).reshape(p.shape);
        if (TopKValue is int k)
        {
            int kk = (int)Math.Min(k, p.shape[^1]);
            var kth = p.topk(kk, dim: -1).values[.., (kk - 1)..kk];
            p = torch.where(p.ge(kth), p, torch.full_like(p, -1e30f));
        }
        if (ClassId is int c) { p = p[.., c]; t = t[.., c]; }
        var pf = p.reshape(-1, 1);
        var tf = t.reshape(-1, 1).gt(0.5);
        var thr = torch.tensor(_thresholds.Select(v => (float)v).ToArray(), device: p.device).unsqueeze(0);
        var predPos = pf.gt(thr);
        Tensor w = sampleWeight is null ? torch.ones_like(pf)
            : sampleWeight.to(ScalarType.Float32, p.device).reshape(-1, 1).expand(p.shape[0], p.numel() / Math.Max(1, p.shape[0])).reshape(-1, 1);
        var dev = p.device;
        State(_tp, dev).add_((predPos.logical_and(tf).to(ScalarType.Float32) * w).sum([0L]));
        State(_fp, dev).add_((predPos.logical_and(tf.logical_not()).to(ScalarType.Float32) * w).sum([0L]));
        State(_tn, dev).add_((predPos.logical_not().logical_and(tf.logical_not()).to(ScalarType.Float32) * w).sum([0L]));
        State(_fn, dev).add_((predPos.logical_not().logical_and(tf).to(ScalarType.Float32) * w).sum([0L]));
    }

    /// <summary>(tp, fp, tn, fn) per threshold, zeros before any update.</summary>
    protected (Tensor tp, Tensor fp, Tensor tn, Tensor fn) Counts()
    {
        Tensor Z() => torch.zeros(_thresholds.Length);
        return (StateOrNull(_tp) ?? Z(), StateOrNull(_fp) ?? Z(), StateOrNull(_tn) ?? Z(), StateOrNull(_fn) ?? Z());
    }

    /// <summary>a / b, or 0 where b is 0 (Keras's divide_no_nan).</summary>
    protected static Tensor DivNoNan(Tensor a, Tensor b) => torch.where(b.eq(0), torch.zeros_like(a), a / torch.where(b.eq(0), torch.ones_like(b), b));
}

/// <summary>Precision = TP / (TP + FP) at <c>thresholds</c> (default 0.5) (Keras's <c>Precision</c>).</summary>
public sealed class Precision : ConfusionMatrixMetric
{
    /// <summary>Creates the metric.</summary>
    public Precision(double thresholds = 0.5, int? topK = null, int? classId = null, string name = "precision")
        : base(name, [thresholds]) { TopKValue = topK; ClassId = classId; }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (tp, fp, _, _) = Counts();
        return DivNoNan(tp, tp + fp)[0];
    }
}

/// <summary>Recall = TP / (TP + FN) at <c>thresholds</c> (default 0.5) (Keras's <c>Recall</c>).</summary>
public sealed class Recall : ConfusionMatrixMetric
{
    /// <summary>Creates the metric.</summary>
    public Recall(double thresholds = 0.5, int? topK = null, int? classId = null, string name = "recall")
        : base(name, [thresholds]) { TopKValue = topK; ClassId = classId; }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (tp, _, _, fn) = Counts();
        return DivNoNan(tp, tp + fn)[0];
    }
}

/// <summary>
/// Area under the ROC or PR curve from <c>numThresholds</c> evenly spaced thresholds (Keras's <c>AUC</c>:
/// thresholds 0−ε, 1/(n−1), …, (n−2)/(n−1), 1+ε; "interpolation" summation — trapezoids for ROC, Davis &amp;
/// Goadrich interpolation for PR — or "minoring"/"majoring" Riemann sums).
/// </summary>
public sealed class AUC : ConfusionMatrixMetric
{
    /// <summary>Creates the metric.</summary>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc")
        : base(name, MakeThresholds(numThresholds))
    {
        Curve = curve.ToUpperInvariant() is "ROC" or "PR" ? curve.ToUpperInvariant()
            : throw new ArgumentException($"AUC: curve must be 'ROC' or 'PR'; got '{curve}'.", nameof(curve));
        SummationMethod = summationMethod is "interpolation" or "minoring" or "majoring" ? summationMethod
            : throw new ArgumentException($"AUC: summationMethod must be interpolation, minoring or majoring; got '{summationMethod}'.", nameof(summationMethod));
    }

    /// <summary>"ROC" or "PR".</summary>
    public string Curve { get; }

    /// <summary>"interpolation", "minoring" or "majoring".</summary>
    public string SummationMethod { get; }

    private static double[] MakeThresholds(int n)
    {
        if (n <= 1) throw new ArgumentOutOfRangeException(nameof(n), n, "numThresholds must be > 1.");
        const double eps = 1e-7;
        var t = new double[n];
        t[0] = -eps;
        for (int i = 0; i < n - 2; i++) t[i + 1] = (i + 1) * 1.0 / (n - 1);
        t[n - 1] = 1.0 + eps;
        return t;
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (tp, fp, tn, fn) = Counts();
        int n = Thresholds.Count;
        if (Curve == "PR" && SummationMethod == "interpolation")
        {
            var dtp = tp[..(n - 1)] - tp[1..];
            var p = tp + fp;
            var dp = p[..(n - 1)] - p[1..];
            var precSlope = DivNoNan(dtp, dp.clamp_min(0));
            var intercept = tp[1..] - precSlope * p[1..];
            var bothPos = p[..(n - 1)].gt(0).logical_and(p[1..].gt(0));
            var safeRatio = torch.where(bothPos, DivNoNan(p[..(n - 1)], p[1..].clamp_min(0)), torch.ones_like(p[1..]));
            return DivNoNan(precSlope * (dtp + intercept * safeRatio.log()), (tp[1..] + fn[1..]).clamp_min(0)).sum();
        }
        var recall = DivNoNan(tp, tp + fn);
        Tensor x, y;
        if (Curve == "ROC") { x = DivNoNan(fp, fp + tn); y = recall; }
        else { x = recall; y = DivNoNan(tp, tp + fp); }
        var heights = SummationMethod switch
        {
            "interpolation" => (y[..(n - 1)] + y[1..]) / 2,
            "minoring" => torch.minimum(y[..(n - 1)], y[1..]),
            _ => torch.maximum(y[..(n - 1)], y[1..]),
        };
        return ((x[..(n - 1)] - x[1..]) * heights).sum();
    }
}
