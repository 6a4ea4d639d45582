using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Base of <see cref="SensitivityAtSpecificity"/>, <see cref="SpecificityAtSensitivity"/>, <see cref="PrecisionAtRecall"/> and
/// <see cref="RecallAtPrecision"/> (Keras's <c>SensitivitySpecificityBase</c>): a confusion matrix at <c>numThresholds</c>
/// thresholds 0, 1/(n−1), …, 1 (0.5 alone when n = 1); the result is the best value of one rate among the thresholds where the
/// other rate reaches the target (0 when none does).
/// </summary>
public abstract class SensitivitySpecificityBase : Metric
{
    private readonly int _tp, _fp, _tn, _fn;
    private readonly double[] _thresholds;

    /// <summary>Creates the metric.</summary>
    /// <param name="value">The target of the constrained rate, in [0, 1].</param>
    /// <param name="valueName">The argument name of <paramref name="value"/>.</param>
    /// <param name="numThresholds">Number of thresholds (&gt; 0).</param>
    /// <param name="classId">Score only this class column, or null.</param>
    /// <param name="name">The metric's name.</param>
    private protected SensitivitySpecificityBase(double value, string valueName, int numThresholds, int? classId, string name) : base(name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentOutOfRangeException(valueName, value, $"Argument `{valueName}` must be in the range [0, 1]. Received: {valueName}={value}");
        if (numThresholds <= 0) throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, $"Argument `numThresholds` must be an integer > 0. Received: numThresholds={numThresholds}");
        if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), classId, "classId must be >= 0.");
        Value = value; NumThresholds = numThresholds; ClassId = classId;
        Direction = "up";
        _thresholds = numThresholds == 1
            ? [0.5]
            : [0.0, .. Enumerable.Range(0, numThresholds - 2).Select(i => (i + 1) * 1.0 / (numThresholds - 1)), 1.0];
        long[] s = [_thresholds.Length];
        _tp = AddState("true_positives", s); _fp = AddState("false_positives", s);
        _tn = AddState("true_negatives", s); _fn = AddState("false_negatives", s);
    }

    /// <summary>The target of the constrained rate.</summary>
    public double Value { get; }
    /// <summary>Number of thresholds.</summary>
    public int NumThresholds { get; }
    /// <summary>The scored class, or null.</summary>
    public int? ClassId { get; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var (tp, fp, tn, fn) = ConfusionChecks.Counts(yTrue, yPred, sampleWeight, _thresholds, null, ClassId, Name);
        State(_tp, tp.device).add_(tp); State(_fp, tp.device).add_(fp);
        State(_tn, tp.device).add_(tn); State(_fn, tp.device).add_(fn);
    }

    /// <summary>The four counts (zeros before any update).</summary>
    private protected (Tensor tp, Tensor fp, Tensor tn, Tensor fn) Counts()
    {
        Tensor Get(int i) => StateOrNull(i) ?? torch.zeros(_thresholds.Length);
        return (Get(_tp), Get(_fp), Get(_tn), Get(_fn));
    }

    /// <summary>Per threshold: sensitivity (= recall) tp/(tp+fn), specificity tn/(tn+fp) and precision tp/(tp+fp), each 0 where its denominator is 0.</summary>
    private protected (Tensor sensitivity, Tensor specificity, Tensor precision) Rates()
    {
        var (tp, fp, tn, fn) = Counts();
        return (MetricUtils.DivideNoNan(tp, tp + fn), MetricUtils.DivideNoNan(tn, tn + fp), MetricUtils.DivideNoNan(tp, tp + fp));
    }

    /// <summary>max over thresholds of <paramref name="dependent"/> where <paramref name="constrained"/> ≥ the target (0 if none).</summary>
    private protected Tensor MaxUnderConstraint(Tensor constrained, Tensor dependent)
    {
        var feasible = constrained.ge(Value);
        return torch.where(feasible, dependent, torch.zeros_like(dependent)).amax([0L]).clamp_min(0);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds;
        c["class_id"] = ClassId;
        return c;
    }
}
