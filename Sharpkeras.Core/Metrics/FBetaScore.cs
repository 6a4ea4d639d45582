using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// F-beta score (1 + β²)·P·R / (β²·P + R) per class, accumulated over batches (Keras's <c>FBetaScore</c>); inputs are
/// (samples, classes). Without <c>threshold</c> the highest prediction of each row is the positive one; with it, predictions
/// above it are positive. <c>average</c>: null (one score per class), "micro" (global counts), "macro" (mean over classes) or
/// "weighted" (mean weighted by each class's support). ε = 1e-7 is added to the denominators as in Keras. String alias: "fbeta_score".
/// </summary>
public class FBetaScore : Metric
{
    private int _tp = -1, _fp, _fn, _weights;
    private long _classes = -1;

    /// <summary>Creates the metric.</summary>
    /// <param name="average">null, "micro", "macro" or "weighted".</param>
    /// <param name="beta">β &gt; 0 (default 1).</param>
    /// <param name="threshold">Decision threshold in (0, 1], or null for "the row's maximum".</param>
    /// <param name="name">The metric's name.</param>
    public FBetaScore(string? average = null, double beta = 1.0, double? threshold = null, string name = "fbeta_score") : base(name)
    {
        if (average is not (null or "micro" or "macro" or "weighted"))
            throw new ArgumentException($"Invalid `average` argument value. Expected one of: null, \"micro\", \"macro\", \"weighted\". Received: average='{average}'.", nameof(average));
        if (!(beta > 0) || !double.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"Invalid `beta` argument value. It should be > 0. Received: beta={beta}");
        if (threshold is double t && !(t > 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold={t}");
        Average = average; Beta = beta; Threshold = threshold;
        Direction = "up";
    }

    /// <summary>The averaging.</summary>
    public string? Average { get; }
    /// <summary>β.</summary>
    public double Beta { get; }
    /// <summary>The threshold, or null.</summary>
    public double? Threshold { get; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var p = yPred.detach().to(ScalarType.Float32);
        var t = yTrue.detach().to(ScalarType.Float32, p.device);
        if (p.dim() != 2 || t.dim() != 2)
            throw new ArgumentException(
                $"{GetType().Name} expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=({string.Join(", ", yPred.shape)}) and y_true.shape=({string.Join(", ", yTrue.shape)}).",
                nameof(yPred));
        if (_classes < 0)
        {
            _classes = p.shape[1];
            long[] s = Average == "micro" ? [] : [_classes];
            _tp = AddState("true_positives", s); _fp = AddState("false_positives", s);
            _fn = AddState("false_negatives", s); _weights = AddState("intermediate_weights", s);
        }
        Tensor predPos = Threshold is double th
            ? p.gt(th).to(ScalarType.Float32)
            : p.ge(p.amax([-1L], keepdim: true)).logical_and(p.abs().gt(1e-9)).to(ScalarType.Float32);
        Tensor? w = null;
        if (sampleWeight is not null)
        {
            w = sampleWeight.detach().to(ScalarType.Float32, p.device);
            while (w.dim() < t.dim()) w = w.unsqueeze(-1);
        }
        Tensor WSum(Tensor v)
        {
            if (w is not null) v = v * w;
            return Average == "micro" ? v.sum() : v.sum([0L]);
        }
        State(_tp, p.device).add_(WSum(predPos * t));
        State(_fp, p.device).add_(WSum(predPos * (1 - t)));
        State(_fn, p.device).add_(WSum((1 - predPos) * t));
        State(_weights, p.device).add_(WSum(t));
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        if (_classes < 0) return torch.tensor(0f);
        const double eps = MetricUtils.Epsilon;
        var tp = StateOrNull(_tp)!; var fp = StateOrNull(_fp)!; var fn = StateOrNull(_fn)!;
        var precision = tp / (tp + fp + eps);
        var recall = tp / (tp + fn + eps);
        double b2 = Beta * Beta;
        var f = precision * recall / (b2 * precision + recall + eps) * (1 + b2);
        if (Average == "weighted")
        {
            var iw = StateOrNull(_weights)!;
            return (f * (iw / (iw.sum() + eps))).sum();
        }
        return Average is null ? f.clone() : f.mean();
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["average"] = Average; c["beta"] = Beta; c["threshold"] = Threshold;
        return c;
    }
}
