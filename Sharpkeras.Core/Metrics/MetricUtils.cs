using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Shape and arithmetic helpers shared by the metrics (Keras's <c>metrics_utils</c>).</summary>
internal static class MetricUtils
{
    /// <summary>Keras's <c>NEG_INF</c> used to mask predictions outside the top k.</summary>
    public const double NegInf = -1e10;

    /// <summary>Keras's <c>backend.epsilon()</c>.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>
    /// Keras's <c>squeeze_or_expand_to_same_rank</c>: when the ranks differ by one and the longer tensor ends in a
    /// dimension of 1, the rank-1 tensor gains a trailing axis (<paramref name="expandRank1"/>) or the longer one loses its last.
    /// </summary>
    public static (Tensor, Tensor) SqueezeOrExpandToSameRank(Tensor x1, Tensor x2, bool expandRank1 = true)
    {
        long r1 = x1.dim(), r2 = x2.dim();
        if (r1 == r2) return (x1, x2);
        if (r1 == r2 + 1 && x1.shape[^1] == 1)
        {
            if (r2 == 1 && expandRank1) x2 = x2.unsqueeze(-1);
            else x1 = x1.squeeze(-1);
        }
        if (r2 == r1 + 1 && x2.shape[^1] == 1)
        {
            if (r1 == 1 && expandRank1) x1 = x1.unsqueeze(-1);
            else x2 = x2.squeeze(-1);
        }
        return (x1, x2);
    }

    /// <summary>Labels and predictions as float32 on the predictions' device, brought to the same rank (Keras's preprocessing of metric inputs).</summary>
    public static (Tensor yTrue, Tensor yPred) Prepare(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var p = yPred.detach();
        if (p.dtype != ScalarType.Float32) p = p.to(ScalarType.Float32);
        var t = yTrue.detach().to(ScalarType.Float32, p.device);
        (t, p) = SqueezeOrExpandToSameRank(t, p);
        return (t, p);
    }

    /// <summary><c>a / b</c>, and 0 where <c>b == 0</c> (Keras's <c>divide_no_nan</c>).</summary>
    public static Tensor DivideNoNan(Tensor a, Tensor b)
    {
        var zero = b.eq(0);
        return torch.where(zero, torch.zeros_like(a), a / torch.where(zero, torch.ones_like(b), b));
    }

    /// <summary>
    /// Keras's <c>reduce_to_samplewise_values</c>: with weights, the values are reduced to the weights' rank, weighted,
    /// and both are reduced to one per sample; without, the values are reduced to one per sample. <paramref name="sum"/>
    /// chooses sum (the Sum metric) or mean (the Mean metric) as the reduction.
    /// </summary>
    public static (Tensor values, Tensor? sampleWeight) ReduceToSamplewise(Tensor values, Tensor? sampleWeight, bool sum, string metricName)
    {
        var v = values.detach();
        if (!v.dtype.IsFloat()) v = v.to(ScalarType.Float32);
        Tensor? sw = null;
        Tensor Reduce(Tensor x, long from) =>
            sum ? x.sum(Enumerable.Range((int)from, (int)(x.dim() - from)).Select(i => (long)i).ToArray())
                : x.mean(Enumerable.Range((int)from, (int)(x.dim() - from)).Select(i => (long)i).ToArray());
        if (sampleWeight is not null)
        {
            sw = sampleWeight.detach().to(v.dtype, v.device);
            (v, sw) = SqueezeOrExpandToSameRank(v, sw);
            long wn = sw.dim(), vn = v.dim();
            if (vn > wn) v = Reduce(v, wn);
            try
            {
                sw = sw.broadcast_to(v.shape);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException(
                    $"Metric '{metricName}': sampleWeight of shape ({string.Join(", ", sampleWeight.shape)}) cannot be broadcast to the values' shape ({string.Join(", ", v.shape)}).",
                    nameof(sampleWeight), e);
            }
            v = v * sw;
            if (wn > 1) sw = Reduce(sw, 1);
        }
        if (v.dim() > 1) v = Reduce(v, 1);
        return (v, sw);
    }

    /// <summary>Keeps the top-k values of the last axis and sets the others to <see cref="NegInf"/> (Keras's <c>_filter_top_k</c>).</summary>
    public static Tensor FilterTopK(Tensor x, int k)
    {
        long classes = x.shape[^1];
        var idx = x.topk((int)Math.Min(k, classes), dim: -1).indexes;
        var mask = torch.zeros_like(x).scatter_(-1, idx, torch.ones_like(idx, dtype: x.dtype));
        return x * mask + NegInf * (1 - mask);
    }

    /// <summary>Sample weights broadcast to the shape of <paramref name="like"/> (a trailing axis is added per missing dimension).</summary>
    public static Tensor BroadcastWeights(Tensor sampleWeight, Tensor like, string metricName)
    {
        var w = sampleWeight.detach().to(ScalarType.Float32, like.device);
        while (w.dim() < like.dim()) w = w.unsqueeze(-1);
        while (w.dim() > like.dim() && w.shape[^1] == 1) w = w.squeeze(-1);
        try
        {
            return w.expand(like.shape);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"Metric '{metricName}': sampleWeight of shape ({string.Join(", ", sampleWeight.shape)}) cannot be broadcast to the predictions' shape ({string.Join(", ", like.shape)}).",
                nameof(sampleWeight), e);
        }
    }

    /// <summary>Throws unless the labels and predictions hold the same number of values.</summary>
    public static void CheckSameSize(Tensor yTrue, Tensor yPred, string metricName)
    {
        if (yTrue.numel() != yPred.numel())
            throw new ArgumentException(
                $"Metric '{metricName}' needs labels with the predictions' shape ({string.Join(", ", yPred.shape)}); got ({string.Join(", ", yTrue.shape)}).",
                nameof(yTrue));
    }

    /// <summary>Integer labels of shape (samples) for predictions (samples, classes); only shapes are checked (values would need a device read).</summary>
    public static Tensor SparseLabels(Tensor yTrue, Tensor yPred, string metricName)
    {
        var t = yTrue.detach().to(yPred.device);
        if (t.dim() == yPred.dim() && t.shape[^1] == 1) t = t.squeeze(-1);
        if (t.dim() != yPred.dim() - 1)
            throw new ArgumentException(
                $"Metric '{metricName}' needs integer labels of shape ({string.Join(", ", yPred.shape[..^1])}) for predictions of shape ({string.Join(", ", yPred.shape)}); got ({string.Join(", ", yTrue.shape)}).",
                nameof(yTrue));
        return t.to(ScalarType.Int64);
    }

    /// <summary>Keras's <c>in_top_k</c>: whether each target's score is at least the k-th largest score of its row.</summary>
    public static Tensor InTopK(Tensor targets, Tensor predictions, int k)
    {
        long classes = predictions.shape[^1];
        var p = predictions.reshape(-1, classes);
        var t = targets.reshape(-1, 1);
        var topValues = p.topk((int)Math.Min(k, classes), dim: -1).values;
        var targetValues = p.gather(-1, t);
        return targetValues.ge(topValues).any(-1);
    }
}
