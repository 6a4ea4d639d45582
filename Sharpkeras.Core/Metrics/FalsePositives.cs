using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>The weighted number of false positives at each threshold (Keras's <c>FalsePositives</c>). String alias: "false_positives".</summary>
public sealed class FalsePositives : ConfusionCountMetric
{
    /// <summary>Creates the metric with one threshold (result: a scalar).</summary>
    /// <param name="thresholds">The threshold in [0, 1].</param>
    /// <param name="name">The metric's name.</param>
    public FalsePositives(double thresholds, string name = "false_positives") : base([thresholds], true, name) { Direction = "down"; }

    /// <summary>Creates the metric with a list of thresholds (result: one value per threshold), or the default 0.5 (result: a scalar).</summary>
    /// <param name="thresholds">Thresholds in [0, 1], or null for 0.5.</param>
    /// <param name="name">The metric's name.</param>
    public FalsePositives(double[]? thresholds = null, string name = "false_positives") : base(thresholds, false, name) { Direction = "down"; }

    private protected override Tensor Pick((Tensor tp, Tensor fp, Tensor tn, Tensor fn) counts) => counts.fp;
}
