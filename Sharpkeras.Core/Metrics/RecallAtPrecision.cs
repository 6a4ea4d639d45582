using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Keras's <c>RecallAtPrecision</c>: the best recall among thresholds whose precision is at least <c>precision</c>. Default name "recall_at_precision"; no string alias (the target is required).</summary>
public sealed class RecallAtPrecision : SensitivitySpecificityBase
{
    /// <summary>Creates the metric.</summary>
    /// <param name="precision">The target, in [0, 1].</param>
    /// <param name="numThresholds">Number of thresholds (default 200).</param>
    /// <param name="classId">Score only this class column, or null.</param>
    /// <param name="name">The metric's name.</param>
    public RecallAtPrecision(double precision, int numThresholds = 200, int? classId = null, string name = "recall_at_precision")
        : base(precision, nameof(precision), numThresholds, classId, name) { }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (sens, spec, prec) = Rates();
        return MaxUnderConstraint(prec, sens);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["precision"] = Value;
        return c;
    }
}
