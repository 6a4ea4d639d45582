using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Keras's <c>SpecificityAtSensitivity</c>: the best specificity among thresholds whose sensitivity is at least <c>sensitivity</c>. Default name "specificity_at_sensitivity"; no string alias (the target is required).</summary>
public sealed class SpecificityAtSensitivity : SensitivitySpecificityBase
{
    /// <summary>Creates the metric.</summary>
    /// <param name="sensitivity">The target, in [0, 1].</param>
    /// <param name="numThresholds">Number of thresholds (default 200).</param>
    /// <param name="classId">Score only this class column, or null.</param>
    /// <param name="name">The metric's name.</param>
    public SpecificityAtSensitivity(double sensitivity, int numThresholds = 200, int? classId = null, string name = "specificity_at_sensitivity")
        : base(sensitivity, nameof(sensitivity), numThresholds, classId, name) { }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var (sens, spec, prec) = Rates();
        return MaxUnderConstraint(sens, spec);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["sensitivity"] = Value;
        return c;
    }
}
