using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>The weighted number of true negatives at each threshold (Keras's <c>TrueNegatives</c>). String alias: "true_negatives".</summary>
public sealed class TrueNegatives : ConfusionCountMetric
{
    /// <summary>Creates the metric with one threshold (result: a scalar).</summary>
    /// <param name="thresholds">The threshold in [0, 1].</param>
    /// <param name="name">The metric's name.</param>
    public TrueNegatives(double thresholds, string name = "true_negatives") : base([thresholds], true, name) { Direction = "up"; }

    /// <summary>Creates the metric with a list of thresholds (result: one value per threshold), or the default 0.5 (result: a scalar).</summary>
    /// <param name="thresholds">Thresholds in [0, 1], or null for 0.5.</param>
    /// <param name="name">The metric's name.</param>
    public TrueNegatives(double[]? thresholds = null, string name = "true_negatives") : base(thresholds, false, name) { Direction = "up"; }

    private protected override Tensor Pick((Tensor tp, Tensor fp, Tensor tn, Tensor fn) counts) => counts.tn;
}
