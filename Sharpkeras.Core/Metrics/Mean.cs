using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// The weighted mean of the values given to <c>Update</c> (Keras's <c>keras.metrics.Mean</c>). Values are first
/// reduced to one per sample (mean over the other axes, after weighting); the result is
/// <c>Σ weighted values / Σ weights</c>, 0 when the weights sum to 0 (Keras's divide-no-nan; negative weights allowed).
/// </summary>
public class Mean : Metric
{
    private readonly int _total, _count;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public Mean(string name = "mean") : base(name)
    {
        _total = AddState("total");
        _count = AddState("count");
    }

    /// <summary>Adds values (optionally weighted) to the mean (Keras's <c>Mean.update_state</c>).</summary>
    /// <param name="values">The values.</param>
    /// <param name="sampleWeight">Weights broadcastable to the values (per sample or per element), or null.</param>
    public void Update(Tensor values, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var _ = torch.no_grad();
        var (v, sw) = MetricUtils.ReduceToSamplewise(values, sampleWeight, sum: false, Name);
        var total = State(_total, v.device);
        var count = State(_count, v.device);
        total.add_(v.sum().to(total.dtype));
        if (sw is not null) count.add_(sw.sum().to(count.dtype));
        else count.add_(v.dim() >= 1 ? v.shape[0] : 1);
    }

    /// <summary>Adds a scalar value with a given weight (e.g. a batch loss weighted by the batch size).</summary>
    /// <param name="value">The value (summed if not a scalar).</param>
    /// <param name="weight">Its weight.</param>
    public void Update(Tensor value, double weight)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var _ = torch.no_grad();
        var v = value.detach();
        var total = State(_total, v.device);
        var count = State(_count, v.device);
        if (v.dim() != 0) v = v.sum();
        if (v.dtype != total.dtype) v = v.to(total.dtype);
        total.add_(v, alpha: weight);
        count.add_(weight);
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => Update(yPred, sampleWeight);

    /// <inheritdoc />
    public override Tensor Result()
    {
        var total = StateOrNull(_total);
        var count = StateOrNull(_count);
        if (total is null || count is null) return torch.tensor(0f);
        return MetricUtils.DivideNoNan(total, count);
    }
}
