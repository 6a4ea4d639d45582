using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// What <see cref="Precision"/> and <see cref="Recall"/> share: thresholds (one or a list), <c>topK</c>, <c>classId</c>,
/// two accumulated counts — the true positives and the count that completes the denominator (false positives for
/// precision, false negatives for recall) — and the result <c>TP / (TP + other)</c> with Keras's divide-no-nan.
/// </summary>
public abstract class PrecisionRecallBase : Metric
{
    private readonly int _tp, _other;
    private readonly double[] _thresholdList;
    private readonly bool _single;
    private readonly bool _falsePositives;

    /// <summary>One threshold (the result is a scalar).</summary>
    /// <param name="thresholds">The decision threshold in [0, 1] (null: 0.5, or -∞ with <paramref name="topK"/>).</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="falsePositives">True: the second count is false positives (precision); false: false negatives (recall).</param>
    private protected PrecisionRecallBase(double? thresholds, int? topK, int? classId, string name, bool falsePositives) : base(name)
    {
        Threshold = ConfusionChecks.Threshold(thresholds, topK, classId);
        InitThresholds = thresholds; TopK = topK; ClassId = classId;
        _thresholdList = [Threshold];
        _single = true;
        _falsePositives = falsePositives;
        Direction = "up";
        _tp = AddState("true_positives", [1]);
        _other = AddState(falsePositives ? "false_positives" : "false_negatives", [1]);
    }

    /// <summary>A list of thresholds (the result holds one value per threshold).</summary>
    /// <param name="thresholds">Decision thresholds in [0, 1].</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="falsePositives">True: the second count is false positives (precision); false: false negatives (recall).</param>
    private protected PrecisionRecallBase(double[] thresholds, int? topK, int? classId, string name, bool falsePositives) : base(name)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        if (thresholds.Length == 0) throw new ArgumentException("thresholds must hold at least one value.", nameof(thresholds));
        foreach (var t in thresholds) ConfusionChecks.Threshold(t, topK, classId);
        Threshold = thresholds[0];
        ThresholdList = thresholds.ToArray(); TopK = topK; ClassId = classId;
        _thresholdList = ThresholdList;
        _falsePositives = falsePositives;
        Direction = "up";
        _tp = AddState("true_positives", [thresholds.Length]);
        _other = AddState(falsePositives ? "false_positives" : "false_negatives", [thresholds.Length]);
    }

    /// <summary>The single threshold given to the constructor (null: default or a list).</summary>
    public double? InitThresholds { get; }
    /// <summary>The thresholds given as a list, or null.</summary>
    public double[]? ThresholdList { get; }
    /// <summary>The (first) threshold in use.</summary>
    public double Threshold { get; }
    /// <summary>The k of top-k, or null.</summary>
    public int? TopK { get; }
    /// <summary>The scored class, or null.</summary>
    public int? ClassId { get; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var counts = ConfusionChecks.Counts(yTrue, yPred, sampleWeight, _thresholdList, TopK, ClassId, Name);
        State(_tp, counts.tp.device).add_(counts.tp);
        State(_other, counts.tp.device).add_(_falsePositives ? counts.fp : counts.fn);
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var tp = StateOrNull(_tp);
        var other = StateOrNull(_other);
        if (tp is null || other is null) return _single ? torch.tensor(0f) : torch.zeros(_thresholdList.Length);
        var r = MetricUtils.DivideNoNan(tp, tp + other);
        return _single ? r.reshape([]) : r;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = ThresholdList is null ? InitThresholds : ThresholdList; c["top_k"] = TopK; c["class_id"] = ClassId;
        return c;
    }
}
