using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Coefficient of determination R² = 1 − SS_res/SS_tot per output column, accumulated over batches (Keras's <c>R2Score</c>);
/// inputs are (samples, outputs). Columns are averaged uniformly ("uniform_average"), by their variance
/// ("variance_weighted_average") or returned as they are (null). With <c>numRegressors</c> p &gt; 0 the adjusted score
/// 1 − (1 − R²)(n − 1)/(n − p − 1) is returned when n − 1 &gt; p (else the plain score, as Keras falls back). String alias: "r2_score".
/// </summary>
public sealed class R2Score : Metric
{
    private readonly int _numSamples;
    private int _squaredSum = -1, _sum, _residual, _count;
    private long _outputs = -1;

    /// <summary>Creates the metric.</summary>
    /// <param name="classAggregation">"uniform_average" (default), "variance_weighted_average" or null (one score per column).</param>
    /// <param name="numRegressors">Number of independent regressors p for the adjusted R² (0: plain R²).</param>
    /// <param name="name">The metric's name.</param>
    public R2Score(string? classAggregation = "uniform_average", int numRegressors = 0, string name = "r2_score") : base(name)
    {
        if (classAggregation is not (null or "uniform_average" or "variance_weighted_average"))
            throw new ArgumentException(
                $"Invalid value for argument classAggregation. Expected one of null, \"uniform_average\", \"variance_weighted_average\". Received: '{classAggregation}'.",
                nameof(classAggregation));
        if (numRegressors < 0)
            throw new ArgumentOutOfRangeException(nameof(numRegressors), numRegressors, "numRegressors must be >= 0.");
        ClassAggregation = classAggregation;
        NumRegressors = numRegressors;
        Direction = "up";
        _numSamples = AddState("num_samples");
    }

    /// <summary>How the columns' scores are combined.</summary>
    public string? ClassAggregation { get; }

    /// <summary>The number of regressors of the adjusted score.</summary>
    public int NumRegressors { get; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        if (t.dim() != 2 || p.dim() != 2)
            throw new ArgumentException(
                $"R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=({string.Join(", ", yPred.shape)}) and y_true.shape=({string.Join(", ", yTrue.shape)}).",
                nameof(yPred));
        if (!t.shape.SequenceEqual(p.shape))
            throw new ArgumentException($"R2Score: y_true shape ({string.Join(", ", yTrue.shape)}) does not match y_pred shape ({string.Join(", ", yPred.shape)}).", nameof(yTrue));
        if (_outputs < 0)
        {
            _outputs = p.shape[1];
            long[] s = [_outputs];
            _squaredSum = AddState("squared_sum", s);
            _sum = AddState("sum", s);
            _residual = AddState("residual", s);
            _count = AddState("count", s);
        }
        else if (p.shape[1] != _outputs)
            throw new ArgumentException($"R2Score was built for {_outputs} outputs; got {p.shape[1]}.", nameof(yPred));
        Tensor w;
        if (sampleWeight is null) w = torch.ones_like(t);
        else
        {
            w = sampleWeight.detach().to(ScalarType.Float32, t.device);
            if (w.dim() == 1) w = w.unsqueeze(1);
            w = MetricUtils.BroadcastWeights(w, t, Name);
        }
        var wt = t * w;
        State(_sum, t.device).add_(wt.sum([0L]));
        State(_squaredSum, t.device).add_((t * wt).sum([0L]));
        State(_residual, t.device).add_(((t - p).square() * w).sum([0L]));
        State(_count, t.device).add_(w.sum([0L]));
        State(_numSamples, t.device).add_(w.ne(0).any(-1).to(ScalarType.Float32).sum());
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        if (_outputs < 0) return torch.tensor(0f);
        var sum = StateOrNull(_sum)!;
        var mean = sum / StateOrNull(_count)!;
        var total = StateOrNull(_squaredSum)! - sum * mean;
        var raw = 1 - StateOrNull(_residual)! / total;
        raw = torch.where(raw.isinf(), torch.zeros_like(raw), raw);
        var r2 = ClassAggregation switch
        {
            "uniform_average" => raw.mean(),
            "variance_weighted_average" => (total * raw).sum() / total.sum(),
            _ => raw,
        };
        if (NumRegressors != 0)
        {
            var n = StateOrNull(_numSamples)!;
            double p = NumRegressors;
            var adjusted = 1 - (1 - r2) * (n - 1) / (n - p - 1);
            r2 = torch.where((n - 1).gt(p), adjusted, r2);
        }
        return r2;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["class_aggregation"] = ClassAggregation;
        c["num_regressors"] = NumRegressors;
        return c;
    }
}
