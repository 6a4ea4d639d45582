using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Keras's <c>SensitivityAtSpecificity</c>: the best sensitivity (recall) among thresholds whose specificity is at least <c>specificity</c>. Default name "sensitivity_at_specificity"; no string alias (the target is required).</summary>
public sealed class SensitivityAtSpecificity : SensitivitySpecificityBase
{
    /// <summary>Creates the metric.</summary>
    /// <param name="specificity">The target, in [0, 1].</param>
    /// <param name="numThresholds">Number of thresholds (default 200).</param>
    /// <param name="classId">Score only this class column, or null.</param>
    /// <param name="name">The metric's name.</param>
    public SensitivityAtSpecificity(double specificity, int numThresholds = 200, int? classId = null, string name = "sensitivity_at_specificity")
        : base(specificity, nameof(specificity), numThresholds, classId, name) { }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (sens, spec, prec) = Rates();
        return MaxUnderConstraint(spec, sens);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["specificity"] = Value;
        return c;
    }
}
