using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Precision, <c>TP / (TP + FP)</c>, accumulated over batches (Keras's <c>Precision</c>). A prediction is positive when it is
/// above <c>thresholds</c> (default 0.5); with <c>topK</c> only the k highest scores of a row can be positive (default
/// threshold then -∞); with <c>classId</c> only that column is scored. Labels are positive when non-zero. With a list of
/// thresholds the result has one value per threshold.
/// </summary>
public sealed class Precision : Metric
{
    private readonly int _tp, _fp;
    private readonly double[] _thresholdList;
    private readonly bool _single;

    /// <summary>Creates the metric with one threshold (result: a scalar).</summary>
    /// <param name="thresholds">The decision threshold in [0, 1] (null: 0.5, or -∞ with <paramref name="topK"/>).</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    public Precision(double? thresholds = null, int? topK = null, int? classId = null, string name = "precision") : base(name)
    {
        Threshold = ConfusionChecks.Threshold(thresholds, topK, classId);
        Direction = "up";
        InitThresholds = thresholds; TopK = topK; ClassId = classId;
        _thresholdList = [Threshold];
        _single = true;
        _tp = AddState("true_positives", [1]);
        _fp = AddState("false_positives", [1]);
    }

    /// <summary>Creates the metric with a list of thresholds (result: one value per threshold).</summary>
    /// <param name="thresholds">Decision thresholds in [0, 1].</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    public Precision(double[] thresholds, int? topK = null, int? classId = null, string name = "precision") : base(name)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        if (thresholds.Length == 0) throw new ArgumentException("thresholds must hold at least one value.", nameof(thresholds));
        foreach (var t in thresholds) ConfusionChecks.Threshold(t, topK, classId);
        Threshold = thresholds[0];
        Direction = "up";
        ThresholdList = thresholds.ToArray(); TopK = topK; ClassId = classId;
        _thresholdList = ThresholdList;
        _tp = AddState("true_positives", [thresholds.Length]);
        _fp = AddState("false_positives", [thresholds.Length]);
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
        State(_fp, counts.tp.device).add_(counts.fp);
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var tp = StateOrNull(_tp);
        var fp = StateOrNull(_fp);
        if (tp is null || fp is null) return _single ? torch.tensor(0f) : torch.zeros(_thresholdList.Length);
        var r = MetricUtils.DivideNoNan(tp, tp + fp);
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
