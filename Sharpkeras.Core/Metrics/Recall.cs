using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Recall, <c>TP / (TP + FN)</c>, accumulated over batches (Keras's <c>Recall</c>). A prediction is positive when it is
/// above <c>thresholds</c> (default 0.5); with <c>topK</c> only the k highest scores of a row can be positive (default
/// threshold then -∞); with <c>classId</c> only that column is scored. Labels are positive when non-zero.
/// </summary>
public sealed class Recall : Metric
{
    private readonly int _tp, _fn;

    /// <summary>Creates the metric.</summary>
    /// <param name="thresholds">The decision threshold in [0, 1] (null: 0.5, or -∞ with <paramref name="topK"/>).</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    public Recall(double? thresholds = null, int? topK = null, int? classId = null, string name = "recall") : base(name)
    {
        Threshold = ConfusionChecks.Threshold(thresholds, topK, classId);
        Direction = "up";
        InitThresholds = thresholds; TopK = topK; ClassId = classId;
        _tp = AddState("true_positives", [1]);
        _fn = AddState("false_negatives", [1]);
    }

    /// <summary>The threshold given to the constructor (null: default).</summary>
    public double? InitThresholds { get; }
    /// <summary>The threshold in use.</summary>
    public double Threshold { get; }
    /// <summary>The k of top-k, or null.</summary>
    public int? TopK { get; }
    /// <summary>The scored class, or null.</summary>
    public int? ClassId { get; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var (labelPos, predPos, weights) = ConfusionChecks.Masks(yTrue, yPred, sampleWeight, Threshold, TopK, ClassId, Name);
        var tp = State(_tp, predPos.device);
        var fn = State(_fn, predPos.device);
        tp.add_((labelPos * predPos * weights).sum().reshape(1));
        fn.add_((labelPos * (1 - predPos) * weights).sum().reshape(1));
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var tp = StateOrNull(_tp);
        var fn = StateOrNull(_fn);
        if (tp is null || fn is null) return torch.tensor(0f);
        return MetricUtils.DivideNoNan(tp, tp + fn).reshape([]);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = InitThresholds; c["top_k"] = TopK; c["class_id"] = ClassId;
        return c;
    }
}
