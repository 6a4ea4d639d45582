using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>The (weighted) sum of the values given to <c>Update</c> (Keras's <c>keras.metrics.Sum</c>). String alias: "sum".</summary>
public class Sum : Metric
{
    private readonly int _total;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public Sum(string name = "sum") : base(name)
    {
        _total = AddState("total");
    }

    /// <summary>Adds values (optionally weighted) to the sum.</summary>
    /// <param name="values">The values.</param>
    /// <param name="sampleWeight">Weights broadcastable to the values, or null.</param>
    public void Update(Tensor values, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var _ = torch.no_grad();
        var (v, _) = MetricUtils.ReduceToSamplewise(values, sampleWeight, sum: true, Name);
        var total = State(_total, v.device);
        total.add_(v.sum().to(total.dtype));
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => Update(yPred, sampleWeight);

    /// <inheritdoc />
    public override Tensor Result() => StateOrNull(_total)?.clone() ?? torch.tensor(0f);
}
