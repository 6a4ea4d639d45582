using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Area under the ROC or precision-recall curve (Keras's <c>AUC</c>), from a confusion matrix accumulated at
/// <c>numThresholds</c> thresholds: <c>-ε, 1/(n-1), …, (n-2)/(n-1), 1+ε</c> (ε = 1e-7), a prediction being positive at
/// a threshold when strictly above it. The area is a Riemann sum over consecutive thresholds: with
/// "interpolation", ROC uses trapezoids and PR uses Davis &amp; Goadrich's interpolation of TP and FP; "minoring" and
/// "majoring" use the lower and upper of the two heights.
/// </summary>
public sealed class AUC : Metric
{
    private readonly double[] _thresholds;
    private readonly bool _evenly;
    private int _tp = -1, _fp = -1, _tn = -1, _fn = -1;
    private long _labels = -1;
    private Tensor? _thresholdTensor;
    private readonly double[]? _initThresholds;

    /// <summary>Creates the metric.</summary>
    /// <param name="numThresholds">Number of thresholds (> 1; default 200).</param>
    /// <param name="curve">"ROC" (default), "PR" or "PRGAIN".</param>
    /// <param name="summationMethod">"interpolation" (default), "minoring" or "majoring".</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="thresholds">Explicit thresholds in [0, 1] (then numThresholds is their count + 2).</param>
    /// <param name="fromLogits">Predictions are logits (a sigmoid is applied first).</param>
    /// <param name="multiLabel">Treat the last axis as independent labels: one curve per label, averaged (weighted by
    /// <paramref name="labelWeights"/> if given) — else all labels are flattened into one curve.</param>
    /// <param name="numLabels">Number of labels with <paramref name="multiLabel"/> (null: taken from the first batch).</param>
    /// <param name="labelWeights">Per-label weights: with <paramref name="multiLabel"/> they weight the per-label AUCs, otherwise
    /// each label's contributions to the confusion matrix.</param>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc",
        double[]? thresholds = null, bool fromLogits = false, bool multiLabel = false, int? numLabels = null, double[]? labelWeights = null) : base(name)
    {
        if (numLabels is <= 0) throw new ArgumentOutOfRangeException(nameof(numLabels), numLabels, "numLabels must be > 0.");
        if (labelWeights is not null && labelWeights.Any(x => !double.IsFinite(x)))
            throw new ArgumentException("labelWeights must be finite numbers.", nameof(labelWeights));
        if (labelWeights is not null && numLabels is int nl && labelWeights.Length != nl)
            throw new ArgumentException($"labelWeights has {labelWeights.Length} values for numLabels={nl}.", nameof(labelWeights));
        MultiLabel = multiLabel; NumLabels = numLabels; LabelWeights = labelWeights?.ToArray();
        Curve = curve switch
        {
            "ROC" or "roc" => "ROC",
            "PR" or "pr" => "PR",
            "PRGAIN" or "prgain" => "PRGAIN",
            _ => throw new ArgumentException($"Invalid AUC curve value: \"{curve}\". Expected values are [\"PR\", \"ROC\", \"PRGAIN\"].", nameof(curve)),
        };
        SummationMethod = summationMethod switch
        {
            "interpolation" or "Interpolation" => "interpolation",
            "majoring" or "Majoring" => "majoring",
            "minoring" or "Minoring" => "minoring",
            _ => throw new ArgumentException(
                $"Invalid AUC summation method value: \"{summationMethod}\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"].",
                nameof(summationMethod)),
        };
        List<double> inner;
        if (thresholds is not null)
        {
            foreach (var t in thresholds)
                if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(thresholds), t, $"Threshold values must be in [0, 1]. Received: {t}");
            inner = thresholds.OrderBy(t => t).ToList();
            _initThresholds = inner.ToArray();
            NumThresholds = inner.Count + 2;
            _evenly = IsEvenlyDistributed([0.0, .. inner, 1.0]);
        }
        else
        {
            if (numThresholds <= 1)
                throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, $"Argument `numThresholds` must be an integer > 1. Received: numThresholds={numThresholds}");
            NumThresholds = numThresholds;
            inner = Enumerable.Range(0, numThresholds - 2).Select(i => (i + 1) * 1.0 / (numThresholds - 1)).ToList();
            _evenly = true;
        }
        _thresholds = [0.0 - MetricUtils.Epsilon, .. inner, 1.0 + MetricUtils.Epsilon];
        FromLogits = fromLogits;
        Direction = "up";
        if (!multiLabel) CreateStates([NumThresholds]);
        else if (numLabels is int n0) CreateStates([NumThresholds, n0]);
    }

    private void CreateStates(long[] shape)
    {
        _tp = AddState("true_positives", shape);
        _fp = AddState("false_positives", shape);
        _tn = AddState("true_negatives", shape);
        _fn = AddState("false_negatives", shape);
        if (shape.Length == 2) _labels = shape[1];
    }

    /// <summary>Whether labels get one curve each.</summary>
    public bool MultiLabel { get; }
    /// <summary>Number of labels given to the constructor, or null.</summary>
    public int? NumLabels { get; }
    /// <summary>Per-label weights, or null.</summary>
    public double[]? LabelWeights { get; }

    /// <summary>Number of thresholds, including the two end points.</summary>
    public int NumThresholds { get; }
    /// <summary>"ROC", "PR" or "PRGAIN".</summary>
    public string Curve { get; }
    /// <summary>"interpolation", "minoring" or "majoring".</summary>
    public string SummationMethod { get; }
    /// <summary>Whether a sigmoid is applied to the predictions first.</summary>
    public bool FromLogits { get; }
    /// <summary>The thresholds, including <c>-ε</c> and <c>1+ε</c>.</summary>
    public IReadOnlyList<double> Thresholds => _thresholds;

    private static bool IsEvenlyDistributed(double[] t)
    {
        int n = t.Length;
        if (n < 3) return false;
        for (int i = 0; i < n; i++)
        {
            double even = (float)i / (float)(n - 1);
            if (Math.Abs(t[i] - even) > MetricUtils.Epsilon + 1e-5 * Math.Abs(even)) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        MetricUtils.CheckSameSize(t, p, Name);
        if (!t.shape.SequenceEqual(p.shape)) t = t.reshape(p.shape);
        if (FromLogits) p = p.sigmoid();
        var w = sampleWeight is null ? torch.ones_like(p) : MetricUtils.BroadcastWeights(sampleWeight, p, Name);
        var device = p.device;
        if (LabelWeights is not null)
        {
            if (p.dim() == 0 || p.shape[^1] != LabelWeights.Length)
                throw new ArgumentException($"Metric '{Name}': labelWeights has {LabelWeights.Length} values but the predictions' last axis is {(p.dim() == 0 ? 0 : p.shape[^1])}.", nameof(yPred));
            if (!MultiLabel) w = w * torch.tensor(LabelWeights.Select(x => (float)x).ToArray(), device: device);
        }
        if (!MultiLabel)
        {
            var (tp, fp, tn, fn) = Counts(t.reshape(-1), p.reshape(-1), w.reshape(-1), device);
            State(_tp, device).add_(tp); State(_fp, device).add_(fp);
            State(_tn, device).add_(tn); State(_fn, device).add_(fn);
            return;
        }
        long labelsCount = p.dim() == 0 ? 1 : p.shape[^1];
        if (_labels < 0) CreateStates([NumThresholds, labelsCount]);
        else if (labelsCount != _labels)
            throw new ArgumentException($"Metric '{Name}' was built for {_labels} labels; got predictions with {labelsCount}.", nameof(yPred));
        var t2 = t.reshape(-1, labelsCount); var p2 = p.reshape(-1, labelsCount); var w2 = w.reshape(-1, labelsCount);
        var cols = Enumerable.Range(0, (int)labelsCount).Select(j => Counts(t2.select(1, j), p2.select(1, j), w2.select(1, j), device)).ToList();
        State(_tp, device).add_(torch.stack(cols.Select(c => c.tp).ToArray(), 1));
        State(_fp, device).add_(torch.stack(cols.Select(c => c.fp).ToArray(), 1));
        State(_tn, device).add_(torch.stack(cols.Select(c => c.tn).ToArray(), 1));
        State(_fn, device).add_(torch.stack(cols.Select(c => c.fn).ToArray(), 1));
    }

    private (Tensor tp, Tensor fp, Tensor tn, Tensor fn) Counts(Tensor t, Tensor preds, Tensor weights, Device device)
    {
        var labels = t.ne(0).to(ScalarType.Float32);
        var trueLabels = labels * weights;
        var falseLabels = (1 - labels) * weights;
        Tensor tp, fp;
        if (_evenly)
        {
            // Bucket of each prediction: ceil(p·(n-1)) - 1, raised to 0 (the first threshold is -ε); the
            // counts at threshold i are the sums over buckets >= i.
            var bucket = preds.clamp(0.0, 1.0).mul(NumThresholds - 1).ceil().sub(1).clamp_min(0).to(ScalarType.Int64);
            var tpBuckets = torch.zeros(NumThresholds, dtype: ScalarType.Float32, device: device).index_add_(0, bucket, trueLabels, 1.0);
            var fpBuckets = torch.zeros(NumThresholds, dtype: ScalarType.Float32, device: device).index_add_(0, bucket, falseLabels, 1.0);
            tp = tpBuckets.flip(0).cumsum(0).flip(0);
            fp = fpBuckets.flip(0).cumsum(0).flip(0);
        }
        else
        {
            _thresholdTensor = ThresholdTensor(device);
            var predPos = preds.unsqueeze(0).gt(_thresholdTensor.unsqueeze(1)).to(ScalarType.Float32);
            tp = (predPos * trueLabels.unsqueeze(0)).sum(1);
            fp = (predPos * falseLabels.unsqueeze(0)).sum(1);
        }
        return (tp, fp, falseLabels.sum() - fp, trueLabels.sum() - tp);
    }

    private Tensor ThresholdTensor(Device device)
    {
        if (_thresholdTensor is not null && Engine.DeviceUtils.Same(_thresholdTensor.device, device)) return _thresholdTensor;
        _thresholdTensor?.Dispose();
        return torch.tensor(_thresholds.Select(x => (float)x).ToArray(), device: device).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        if (_tp < 0) return torch.tensor(0f);
        var tp = StateOrNull(_tp); var fp = StateOrNull(_fp);
        var tn = StateOrNull(_tn); var fn = StateOrNull(_fn);
        if (tp is null || fp is null || tn is null || fn is null) return torch.tensor(0f);
        if (!MultiLabel) return AucFrom(tp, fp, tn, fn);
        var byLabel = torch.stack(Enumerable.Range(0, (int)tp.shape[1])
            .Select(j => AucFrom(tp.select(1, j), fp.select(1, j), tn.select(1, j), fn.select(1, j))).ToArray());
        if (LabelWeights is null) return byLabel.mean();
        var lw = torch.tensor(LabelWeights.Select(x => (float)x).ToArray(), device: byLabel.device);
        return MetricUtils.DivideNoNan((byLabel * lw).sum(), lw.sum());
    }

    private Tensor AucFrom(Tensor tp, Tensor fp, Tensor tn, Tensor fn)
    {
        int n = NumThresholds;
        if (Curve == "PR" && SummationMethod == "interpolation") return InterpolatePrAuc(tp, fp, fn, n);
        var recall = MetricUtils.DivideNoNan(tp, tp + fn);
        Tensor x, y;
        if (Curve == "ROC")
        {
            x = MetricUtils.DivideNoNan(fp, fp + tn);
            y = recall;
        }
        else if (Curve == "PR")
        {
            x = recall;
            y = MetricUtils.DivideNoNan(tp, tp + fp);
        }
        else
        {
            var scaling = MetricUtils.DivideNoNan(tp + fn, tn + fp);
            var recallGain = 1.0 - scaling * MetricUtils.DivideNoNan(fn, tp);
            var precisionGain = 1.0 - scaling * MetricUtils.DivideNoNan(fp, tp);
            var noTp = tp.eq(0);
            recallGain = torch.where(noTp, torch.zeros_like(recallGain), recallGain).clamp_min(0.0);
            precisionGain = torch.where(noTp, torch.ones_like(precisionGain), precisionGain);
            x = recallGain;
            y = precisionGain;
        }
        var yLeft = y.narrow(0, 0, n - 1);
        var yRight = y.narrow(0, 1, n - 1);
        var heights = SummationMethod switch
        {
            "interpolation" => (yLeft + yRight) / 2.0,
            "minoring" => torch.minimum(yLeft, yRight),
            _ => torch.maximum(yLeft, yRight),
        };
        return ((x.narrow(0, 0, n - 1) - x.narrow(0, 1, n - 1)) * heights).sum();
    }

    /// <summary>Keras's closed-form PR-AUC interpolation (Davis &amp; Goadrich 2006, section 4).</summary>
    private static Tensor InterpolatePrAuc(Tensor tp, Tensor fp, Tensor fn, int n)
    {
        var tpA = tp.narrow(0, 0, n - 1);
        var tpB = tp.narrow(0, 1, n - 1);
        var dtp = tpA - tpB;
        var p = tp + fp;
        var pA = p.narrow(0, 0, n - 1);
        var pB = p.narrow(0, 1, n - 1);
        var dp = pA - pB;
        var precSlope = MetricUtils.DivideNoNan(dtp, dp.clamp_min(0.0));
        var intercept = tpB - precSlope * pB;
        var safePRatio = torch.where(pA.gt(0).logical_and(pB.gt(0)), MetricUtils.DivideNoNan(pA, pB.clamp_min(0.0)), torch.ones_like(pB));
        var increment = MetricUtils.DivideNoNan(precSlope * (dtp + intercept * safePRatio.log()), (tpB + fn.narrow(0, 1, n - 1)).clamp_min(0.0));
        return increment.sum();
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds; c["curve"] = Curve; c["summation_method"] = SummationMethod;
        c["from_logits"] = FromLogits; c["multi_label"] = MultiLabel; c["num_labels"] = NumLabels; c["label_weights"] = LabelWeights;
        if (_initThresholds is not null) c["thresholds"] = _initThresholds.ToArray();
        return c;
    }
}
