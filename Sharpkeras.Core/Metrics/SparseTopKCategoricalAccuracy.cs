using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// How often the integer target is among the <c>k</c> highest predictions (Keras's
/// <c>SparseTopKCategoricalAccuracy</c>): a sample counts when its target's score is at least the k-th largest score.
/// </summary>
public sealed class SparseTopKCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="k">How many top predictions to look at (default 5).</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="fromSortedIds">The predictions are already class ids sorted by score (batch, ≥ k), as from a top-k search; a sample counts when its label is among the first k.</param>
    public SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy", bool fromSortedIds = false)
        : base(Fn(Check(k), name, fromSortedIds), name, "up")
    {
        K = k;
        FromSortedIds = fromSortedIds;
    }

    /// <summary>Whether the predictions are sorted class ids.</summary>
    public bool FromSortedIds { get; }

    /// <summary>How many top predictions are looked at.</summary>
    public int K { get; }

    private static int Check(int k) => k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive integer.");

    private static Func<Tensor, Tensor, Tensor> Fn(int k, string name, bool fromSortedIds) => (yTrue, yPred) =>
    {
        MetricUtils.SparseLabels(yTrue, yPred, name); // shape check with the metric's name
        return Metrics.SparseTopKCategoricalAccuracy(yTrue, yPred, k, fromSortedIds);
    };

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K; c["from_sorted_ids"] = FromSortedIds;
        return c;
    }
}
