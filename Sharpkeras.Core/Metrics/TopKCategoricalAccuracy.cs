using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// How often the one-hot target is among the <c>k</c> highest predictions (Keras's <c>TopKCategoricalAccuracy</c>):
/// a sample counts when the score of <c>argmax(yTrue)</c> is at least the k-th largest score (ties count).
/// </summary>
public sealed class TopKCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="k">How many top predictions to look at (default 5).</param>
    /// <param name="name">The metric's name.</param>
    public TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : base(Fn(Check(k), name), name, "up")
    {
        K = k;
    }

    /// <summary>How many top predictions are looked at.</summary>
    public int K { get; }

    private static int Check(int k) => k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive integer.");

    private static Func<Tensor, Tensor, Tensor> Fn(int k, string name) => (yTrue, yPred) =>
    {
        try { return Metrics.TopKCategoricalAccuracy(yTrue, yPred, k); }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"Metric '{name}': {e.Message}", e.ParamName, e);
        }
    };

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }
}
