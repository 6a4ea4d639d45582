using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Intersection-over-union for chosen classes (Keras's <c>IoU</c>): a confusion matrix of integer labels against integer
/// predictions (or arg-max along <c>axis</c> when <c>sparseYTrue</c>/<c>sparseYPred</c> are false) is accumulated; the result is
/// the mean over <c>targetClassIds</c> of TP / (TP + FP + FN + ε), counting only classes whose denominator is non-zero.
/// Out-of-range labels or predictions, and <c>ignoreClass</c> labels, are skipped. Counts are kept in float32 (Keras's default
/// integer dtype would truncate fractional weights). Keras names it "io_u"; no string alias (numClasses is required).
/// </summary>
public class IoU : Metric
{
    private readonly int _cm;

    /// <summary>Creates the metric.</summary>
    /// <param name="numClasses">Number of classes (&gt; 0).</param>
    /// <param name="targetClassIds">The classes averaged over (each &lt; numClasses).</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="ignoreClass">A label that is skipped, or null.</param>
    /// <param name="sparseYTrue">Labels are integers (else one-hot / scores, arg-maxed along <paramref name="axis"/>).</param>
    /// <param name="sparseYPred">Predictions are integers (else scores, arg-maxed along <paramref name="axis"/>).</param>
    /// <param name="axis">The class axis of non-sparse inputs.</param>
    public IoU(int numClasses, int[] targetClassIds, string name = "io_u", int? ignoreClass = null, bool sparseYTrue = true,
        bool sparseYPred = true, int axis = -1) : base(name)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be > 0.");
        ArgumentNullException.ThrowIfNull(targetClassIds);
        if (targetClassIds.Length == 0) throw new ArgumentException("targetClassIds must name at least one class.", nameof(targetClassIds));
        foreach (var id in targetClassIds)
            if (id < 0 || id >= numClasses)
                throw new ArgumentOutOfRangeException(nameof(targetClassIds), id, $"Target class id {id} is out of range, which is [0, {numClasses}).");
        NumClasses = numClasses; TargetClassIds = targetClassIds.ToArray(); IgnoreClass = ignoreClass;
        SparseYTrue = sparseYTrue; SparseYPred = sparseYPred; Axis = axis;
        Direction = "up";
        _cm = AddState("total_confusion_matrix", [numClasses, numClasses]);
    }

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; }
    /// <summary>The classes averaged over.</summary>
    public int[] TargetClassIds { get; }
    /// <summary>The skipped label, or null.</summary>
    public int? IgnoreClass { get; }
    /// <summary>Whether labels are integers.</summary>
    public bool SparseYTrue { get; }
    /// <summary>Whether predictions are integers.</summary>
    public bool SparseYPred { get; }
    /// <summary>The class axis of non-sparse inputs.</summary>
    public int Axis { get; }

    /// <summary>The accumulated confusion matrix (rows: labels, columns: predictions), or null before any update.</summary>
    public Tensor? ConfusionMatrix => StateOrNull(_cm);

    /// <summary>Turns the predictions into class ids (BinaryIoU thresholds them).</summary>
    private protected virtual Tensor PredictedIds(Tensor yPred) => SparseYPred ? yPred : yPred.argmax(Axis);

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        using var _ = torch.no_grad();
        var p = PredictedIds(yPred.detach()).to(ScalarType.Int64).reshape(-1);
        var t = (SparseYTrue ? yTrue.detach() : yTrue.detach().argmax(Axis)).to(ScalarType.Int64, p.device).reshape(-1);
        if (t.numel() != p.numel())
            throw new ArgumentException($"Metric '{Name}': {t.numel()} labels for {p.numel()} predictions.", nameof(yTrue));
        var w = sampleWeight is null
            ? torch.ones(t.shape, dtype: ScalarType.Float32, device: p.device)
            : sampleWeight.detach().to(ScalarType.Float32, p.device).reshape(-1).expand(t.shape);
        var keep = t.ge(0).logical_and(t.lt(NumClasses)).logical_and(p.ge(0)).logical_and(p.lt(NumClasses));
        if (IgnoreClass is int ic) keep = keep.logical_and(t.ne(ic));
        var zero = torch.zeros_like(t);
        var idx = torch.where(keep, t, zero) * NumClasses + torch.where(keep, p, zero);
        w = torch.where(keep, w, torch.zeros_like(w));
        var cm = State(_cm, p.device);
        cm.view(-1).index_add_(0, idx, w, 1.0);
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var cm = StateOrNull(_cm) ?? torch.zeros(NumClasses, NumClasses);
        var sumOverRow = cm.sum([0L]);
        var sumOverCol = cm.sum([1L]);
        var tp = cm.diagonal();
        var denom = sumOverRow + sumOverCol - tp;
        var ids = torch.tensor(TargetClassIds.Select(i => (long)i).ToArray(), device: cm.device);
        tp = tp.index_select(0, ids);
        denom = denom.index_select(0, ids);
        var valid = denom.gt(1e-9);
        var iou = torch.where(valid, tp / (denom + MetricUtils.Epsilon), torch.zeros_like(tp));
        return iou.sum() / (valid.to(ScalarType.Float32).sum() + MetricUtils.Epsilon);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_classes"] = NumClasses; c["target_class_ids"] = TargetClassIds; c["ignore_class"] = IgnoreClass;
        c["sparse_y_true"] = SparseYTrue; c["sparse_y_pred"] = SparseYPred; c["axis"] = Axis;
        return c;
    }
}
