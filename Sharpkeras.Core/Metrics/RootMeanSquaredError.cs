using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Root of the running mean squared error (Keras's <c>RootMeanSquaredError</c>): the squared errors of every batch are
/// averaged per sample and accumulated in a mean; the result is the square root of that mean (not a mean of roots).
/// </summary>
public sealed class RootMeanSquaredError : Mean
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name, the key in the logs (Keras's default <c>root_mean_squared_error</c>).</param>
    public RootMeanSquaredError(string name = "root_mean_squared_error") : base(name) { Direction = "down"; }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        var errorSq = (p - t).square();
        if (errorSq.dim() > 1) errorSq = errorSq.mean(Enumerable.Range(1, (int)errorSq.dim() - 1).Select(i => (long)i).ToArray());
        Update(errorSq, sampleWeight);
    }

    /// <inheritdoc />
    public override Tensor Result() => base.Result().sqrt();
}
