using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>Mean of the per-sample mean absolute error (Keras's <c>MeanAbsoluteError</c> metric).</summary>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error")
    : MeanMetricWrapper((t, p) => (p - t.to(p.dtype, p.device).reshape(p.shape)).abs().mean([-1L]), name);

/// <summary>Mean of the per-sample mean squared error (Keras's <c>MeanSquaredError</c> metric).</summary>
public sealed class MeanSquaredError(string name = "mean_squared_error")
    : MeanMetricWrapper((t, p) => (p - t.to(p.dtype, p.device).reshape(p.shape)).square().mean([-1L]), name);

/// <summary>Square root of the running mean of squared errors over all elements (Keras's <c>RootMeanSquaredError</c>).</summary>
public sealed class RootMeanSquaredError : Mean
{
    /// <summary>Creates the metric.</summary>
    public RootMeanSquaredError(string name = "root_mean_squared_error") : base(name) { }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var p = yPred.detach();
        Update((p - yTrue.to(p.dtype, p.device).reshape(p.shape)).square(), sampleWeight);
    }

    /// <inheritdoc />
    public override Tensor Result() => base.Result().sqrt();
}

/// <summary>Fraction of samples whose true class (arg-max of one-hot labels) is among the top <c>k</c> predictions (default 5).</summary>
public sealed class TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy")
    : MeanMetricWrapper((t, p) => TopK.InTopK(t.to(p.device).argmax(-1), p, k), name)
{
    /// <summary>The k.</summary>
    public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
}

/// <summary>Fraction of samples whose integer label is among the top <c>k</c> predictions (default 5).</summary>
public sealed class SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy")
    : MeanMetricWrapper((t, p) => TopK.InTopK(t.to(p.device).reshape(p.shape[..^1]), p, k), name)
{
    /// <summary>The k.</summary>
    public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
}

internal static class TopK
{
    public static Tensor InTopK(Tensor labels, Tensor pred, int k)
    {
        int kk = (int)Math.Min(k, pred.shape[^1]);
        var top = pred.topk(kk, dim: -1).indexes;
        return top.eq(labels.to(ScalarType.Int64).unsqueeze(-1)).any(-1).to(ScalarType.Float32);
    }
}
