using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Wraps a per-sample function into a mean metric (Keras's <c>MeanMetricWrapper</c>): each batch adds
/// fn(yTrue, yPred) to a weighted mean. A mask attached to the predictions (<see cref="Layer.GetMask"/>) is folded
/// into the sample weights as 0/1 weights, and a mask the function attaches to its values is honoured when weights exist, as in Keras.
/// </summary>
public class MeanMetricWrapper : Mean
{
    private readonly Func<Tensor, Tensor, Tensor> _fn;

    /// <summary>Creates the metric.</summary>
    /// <param name="fn">Per-sample function of (yTrue, yPred).</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="direction">"up", "down" or null (unknown), for callbacks in mode "auto".</param>
    public MeanMetricWrapper(Func<Tensor, Tensor, Tensor> fn, string name, string? direction = null) : base(name)
    {
        _fn = fn ?? throw new ArgumentNullException(nameof(fn));
        Direction = direction;
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        using var _ = torch.no_grad();
        var mask = Layer.GetMask(yPred);
        var values = _fn(yTrue, yPred.detach());
        var valuesMask = Layer.GetMask(values);
        var sw = Losses.Loss.ApplyMask(sampleWeight?.detach().to(ScalarType.Float32, values.device), mask?.to(values.device), ScalarType.Float32, "sum");
        if (sw is not null && valuesMask is not null)
            sw = Losses.Loss.ApplyMask(sw, valuesMask, ScalarType.Float32, "sum");
        Update(values, sw);
    }
}
