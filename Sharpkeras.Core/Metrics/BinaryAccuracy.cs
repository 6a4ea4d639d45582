using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// How often thresholded predictions equal the labels, element-wise, for any rank (Keras's <c>BinaryAccuracy</c>): a prediction
/// counts as 1 when it is above <c>threshold</c>. Weights may be per sample or shaped like the predictions.
/// </summary>
public sealed class BinaryAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    /// <param name="threshold">Predictions above it are 1 (default 0.5).</param>
    public BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5) : base(Fn(Check(threshold)), name, "up")
    {
        Threshold = threshold;
    }

    /// <summary>The decision threshold.</summary>
    public double Threshold { get; }

    private static double Check(double t) => double.IsFinite(t) ? t : throw new ArgumentOutOfRangeException("threshold", t, "threshold must be finite.");

    private static Func<Tensor, Tensor, Tensor> Fn(double threshold) => (yTrue, yPred) => Metrics.BinaryAccuracy(yTrue, yPred, threshold);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["threshold"] = Threshold;
        return c;
    }
}
