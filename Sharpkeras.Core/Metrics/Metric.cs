using Sharpkeras.Registry;
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
    /// <param name="name">The metric's name, the key in the logs (<c>val_</c> is prefixed for validation).</param>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The metric's name in logs ("accuracy", "precision", …).</summary>
    public string Name { get; internal set; }

    /// <summary>Accumulates statistics for one batch.</summary>
    /// <param name="yTrue">The batch's targets (class indices for sparse metrics, one-hot or values otherwise).</param>
    /// <param name="yPred">The model's predictions for the batch.</param>
    /// <param name="sampleWeight">Optional per-sample weights (shape (batch) or broadcastable to the per-sample values); null weighs every sample 1.</param>
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
    /// <param name="name">The state's name (used when saving and restoring).</param>
    /// <param name="shape">Its shape (default a scalar).</param>
    /// <param name="init">Makes the initial value on a device (default float32 zeros of <paramref name="shape"/>).</param>
    /// <returns>The state's index, for <see cref="State"/> and <see cref="StateOrNull"/>.</returns>
    protected int AddState(string name, long[]? shape = null, Func<Device, Tensor>? init = null)
    {
        var s = shape ?? [];
        _states.Add((name, null, init ?? (d => torch.zeros(s, dtype: ScalarType.Float32, device: d))));
        return _states.Count - 1;
    }

    /// <summary>Returns the state tensor, creating it on <paramref name="device"/> the first time.</summary>
    /// <param name="index">The index <see cref="AddState"/> returned.</param>
    /// <param name="device">The device of the batch being accumulated; a state made elsewhere is moved there.</param>
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
    /// <param name="index">The index <see cref="AddState"/> returned.</param>
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

    /// <summary>
    /// Whether larger values are better ("up"), smaller values are better ("down"), or unknown (null): Keras's metric
    /// <c>_direction</c>, which callbacks use in <c>mode: "auto"</c>.
    /// </summary>
    public string? Direction
    {
        get => _direction;
        protected set => _direction = value is null or "up" or "down"
            ? value
            : throw new ArgumentException($"A metric's direction is \"up\", \"down\" or null; got '{value}'.", nameof(value));
    }

    private string? _direction;

    /// <summary>The registry behind <see cref="Get"/>: every Keras metric alias; register your own with <c>Metric.Registry.Register</c>.
    /// A metric made from an alias is named by that alias ("mae" logs as "mae"), as in Keras.</summary>
    public static AliasRegistry<Metric> Registry { get; } = MetricCatalog.Create();

    /// <summary>The Keras aliases <see cref="Get"/> accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    /// <summary>
    /// Resolves a metric alias or object. "accuracy"/"acc" are resolved later from the shapes of the
    /// labels and predictions (binary, categorical or sparse), like Keras; use <see cref="ResolveAccuracy"/>.
    /// </summary>
    /// <param name="identifier">A <see cref="Metric"/> or an alias such as "mae".</param>
    public static Metric Get(object identifier) => identifier switch
    {
        Metric m => m,
        string s => Registry.Get(s, nameof(identifier)),
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret metric '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };

    /// <summary>
    /// Keras's rule for "accuracy": binary when the prediction's last dimension is 1, sparse when the labels
    /// have one dimension fewer (or a trailing 1 against several classes), categorical otherwise.
    /// </summary>
    /// <param name="alias">The name given in <c>metrics</c> ("accuracy" or "acc"); it becomes the metric's name.</param>
    /// <param name="yTrueShape">The labels' shape.</param>
    /// <param name="yPredShape">The predictions' shape.</param>
    /// <returns>A <see cref="BinaryAccuracy"/>, <see cref="SparseCategoricalAccuracy"/> or <see cref="CategoricalAccuracy"/>.</returns>
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
