using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Base class of stateful metrics (Keras's <c>keras.metrics.Metric</c>). The state lives in tensors on
/// the device of the predictions and is updated in place, so updating never waits for the device;
/// only <see cref="Result"/> followed by <c>item()</c> reads it back.
/// </summary>
public abstract class Metric : IDisposable
{
    private readonly List<(string name, Tensor? value, Func<Device, Tensor> init)> _states = new();

    /// <summary>Creates a metric.</summary>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The metric's name in logs ("accuracy", "precision", …).</summary>
    public string Name { get; internal set; }

    /// <summary>Accumulates statistics for one batch.</summary>
    public abstract void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null);

    /// <summary>The current value (a scalar tensor on the state's device).</summary>
    public abstract Tensor Result();

    /// <summary>Clears the accumulated statistics.</summary>
    public virtual void ResetState()
    {
        using var _ = torch.no_grad();
        for (int i = 0; i < _states.Count; i++)
            _states[i].value?.zero_();
    }

    /// <summary>
    /// Declares a state variable (Keras's <c>add_variable</c>); it is created on first use on the
    /// device of the data. <paramref name="init"/> makes its initial value (zeros by default).
    /// </summary>
    protected int AddState(string name, long[]? shape = null, Func<Device, Tensor>? init = null)
    {
        var s = shape ?? [];
        _states.Add((name, null, init ?? (d => torch.zeros(s, dtype: ScalarType.Float32, device: d))));
        return _states.Count - 1;
    }

    /// <summary>Returns the state tensor, creating it on <paramref name="device"/> the first time.</summary>
    protected Tensor State(int index, Device device)
    {
        var (name, value, init) = _states[index];
        if (value is null || !Engine.DeviceUtils.Same(value.device, device))
        {
            Tensor fresh;
            using (torch.no_grad())
            {
                fresh = init(device).DetachFromDisposeScope();
                if (value is not null) { fresh.copy_(value.to(device)); value.Dispose(); }
            }
            _states[index] = (name, fresh, init);
            return fresh;
        }
        return value;
    }

    /// <summary>Returns the state tensor if it exists (before any update, null).</summary>
    protected Tensor? StateOrNull(int index) => _states[index].value;

    /// <summary>The state tensors by name (for saving/restoring).</summary>
    public IReadOnlyList<(string name, Tensor? value)> States => _states.Select(s => (s.name, s.value)).ToList();

    /// <summary>The arguments that rebuild this metric.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name };

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < _states.Count; i++)
        {
            _states[i].value?.Dispose();
            _states[i] = (_states[i].name, null, _states[i].init);
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>The Keras aliases <see cref="Get"/> accepts.</summary>
    public static readonly string[] Aliases =
    [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "mae", "mean_absolute_error", "mse", "mean_squared_error", "rmse", "root_mean_squared_error",
        "precision", "recall", "auc", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    ];

    /// <summary>
    /// Resolves a metric alias or object. "accuracy"/"acc" are resolved later from the shapes of the
    /// labels and predictions (binary, categorical or sparse), like Keras; use <see cref="ResolveAccuracy"/>.
    /// </summary>
    public static Metric Get(object identifier) => identifier switch
    {
        Metric m => m,
        string s => s switch
        {
            "binary_accuracy" => new BinaryAccuracy(),
            "categorical_accuracy" => new CategoricalAccuracy(),
            "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(),
            _ => MetricCatalog.FromAlias(s) ?? throw new ArgumentException(
                $"Unknown metric '{s}'. Valid: {string.Join(", ", Aliases)}.", nameof(identifier)),
        },
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret metric '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };

    /// <summary>
    /// Keras's rule for "accuracy": binary when the prediction's last dimension is 1, sparse when the labels
    /// have one dimension fewer (or a trailing 1 against several classes), categorical otherwise.
    /// </summary>
    public static Metric ResolveAccuracy(string alias, long[] yTrueShape, long[] yPredShape)
    {
        string name = alias;
        bool isBinary = yPredShape.Length > 0 && yPredShape[^1] == 1;
        bool isSparse = yTrueShape.Length < yPredShape.Length
                        || (yTrueShape.Length > 0 && yTrueShape[^1] == 1 && yPredShape.Length > 0 && yPredShape[^1] > 1);
        if (isBinary) return new BinaryAccuracy(name: name);
        if (isSparse) return new SparseCategoricalAccuracy(name: name);
        return new CategoricalAccuracy(name: name);
    }
}

/// <summary>The weighted mean of the values given to <c>Update</c> (Keras's <c>keras.metrics.Mean</c>).</summary>
public class Mean : Metric
{
    private readonly int _total, _count;

    /// <summary>Creates the metric.</summary>
    public Mean(string name = "mean") : base(name)
    {
        _total = AddState("total");
        _count = AddState("count");
    }

    /// <summary>Adds values (optionally weighted) to the mean.</summary>
    public void Update(Tensor values, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var v = values.detach();
        if (!v.dtype.IsFloat()) v = v.to(ScalarType.Float32);
        var total = State(_total, v.device);
        var count = State(_count, v.device);
        if (sampleWeight is null)
        {
            total.add_(v.sum().to(total.dtype));
            count.add_(v.numel());
        }
        else
        {
            var sw = sampleWeight.to(v.dtype, v.device);
            while (sw.dim() < v.dim()) sw = sw.unsqueeze(-1);
            while (sw.dim() > v.dim() && sw.shape[^1] == 1) sw = sw.squeeze(-1);
            sw = sw.expand(v.shape);
            total.add_((v * sw).sum().to(total.dtype));
            count.add_(sw.sum().to(count.dtype));
        }
    }

    /// <summary>Adds a scalar value with a given weight (e.g. a batch loss weighted by the batch size).</summary>
    public void Update(Tensor value, double weight)
    {
        using var _ = torch.no_grad();
        var v = value.detach();
        var total = State(_total, v.device);
        var count = State(_count, v.device);
        total.add_(v.sum().to(total.dtype) * weight);
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
        return total / count.clamp_min(1e-30f) * count.gt(0).to(total.dtype);
    }
}

/// <summary>
/// Wraps a per-sample function into a mean metric (Keras's <c>MeanMetricWrapper</c>): each batch adds
/// fn(yTrue, yPred) to a weighted mean.
/// </summary>
public class MeanMetricWrapper : Mean
{
    private readonly Func<Tensor, Tensor, Tensor> _fn;

    /// <summary>Creates the metric.</summary>
    public MeanMetricWrapper(Func<Tensor, Tensor, Tensor> fn, string name) : base(name)
    {
        _fn = fn ?? throw new ArgumentNullException(nameof(fn));
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        Update(_fn(yTrue, yPred.detach()), sampleWeight);
    }
}

/// <summary>Fraction of predictions equal to labels, after thresholding at <c>threshold</c> (default 0.5).</summary>
public sealed class BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5)
    : MeanMetricWrapper((t, p) =>
    {
        var pt = p.gt(threshold).to(ScalarType.Float32);
        var tt = t.to(ScalarType.Float32, p.device);
        if (tt.dim() == pt.dim() - 1) tt = tt.unsqueeze(-1);
        return pt.eq(tt).to(ScalarType.Float32).mean([-1L]);
    }, name);

/// <summary>Fraction of samples whose arg-max prediction equals the arg-max of the one-hot label.</summary>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy")
    : MeanMetricWrapper((t, p) => t.to(p.device).argmax(-1).eq(p.argmax(-1)).to(ScalarType.Float32), name);

/// <summary>Fraction of samples whose arg-max prediction equals the integer label.</summary>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy")
    : MeanMetricWrapper((t, p) =>
    {
        var tt = t.to(p.device);
        if (tt.dim() == p.dim() && tt.shape[^1] == 1) tt = tt.squeeze(-1);
        return tt.to(ScalarType.Int64).eq(p.argmax(-1)).to(ScalarType.Float32);
    }, name);
