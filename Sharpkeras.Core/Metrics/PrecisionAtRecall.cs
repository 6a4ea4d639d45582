using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Keras's <c>PrecisionAtRecall</c>: the best precision among thresholds whose recall is at least <c>recall</c>. Default name "precision_at_recall"; no string alias (the target is required).</summary>
public sealed class PrecisionAtRecall : SensitivitySpecificityBase
{
    /// <summary>Creates the metric.</summary>
    /// <param name="recall">The target, in [0, 1].</param>
    /// <param name="numThresholds">Number of thresholds (default 200).</param>
    /// <param name="classId">Score only this class column, or null.</param>
    /// <param name="name">The metric's name.</param>
    public PrecisionAtRecall(double recall, int numThresholds = 200, int? classId = null, string name = "precision_at_recall")
        : base(recall, nameof(recall), numThresholds, classId, name) { }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (sens, spec, prec) = Rates();
        return MaxUnderConstraint(sens, prec);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["recall"] = Value;
        return c;
    }
}
