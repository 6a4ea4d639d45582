using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// <see cref="IoU"/> for binary labels and probabilities (Keras's <c>BinaryIoU</c>): predictions ≥ <c>threshold</c> are class 1;
/// the mean is over <c>targetClassIds</c> (default both classes). String alias: "binary_io_u" (Keras's snake-case name).
/// </summary>
public sealed class BinaryIoU : IoU
{
    /// <summary>Creates the metric.</summary>
    /// <param name="targetClassIds">Subset of {0, 1} (null: both).</param>
    /// <param name="threshold">Predictions at or above it are class 1 (default 0.5).</param>
    /// <param name="name">The metric's name.</param>
    public BinaryIoU(int[]? targetClassIds = null, double threshold = 0.5, string name = "binary_io_u")
        : base(2, targetClassIds ?? [0, 1], name)
    {
        if (!double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be finite.");
        Threshold = threshold;
    }

    /// <summary>The decision threshold.</summary>
    public double Threshold { get; }

    private protected override Tensor PredictedIds(Tensor yPred) => yPred.to(ScalarType.Float32).ge(Threshold).to(ScalarType.Int64);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name, ["target_class_ids"] = TargetClassIds, ["threshold"] = Threshold,
    };
}
