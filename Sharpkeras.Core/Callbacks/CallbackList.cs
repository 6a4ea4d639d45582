namespace Sharpkeras.Callbacks;

/// <summary>
/// Fans every hook out to a list of callbacks, in order (Keras's <c>CallbackList</c>). Adds the
/// <see cref="History"/> and, when <c>verbose</c> is not 0, a <see cref="ProgbarLogger"/>, unless given.
/// </summary>
public sealed class CallbackList : Callback
{
    private readonly List<Callback> _callbacks;

    /// <summary>Creates the list.</summary>
    /// <param name="callbacks">The user's callbacks, called in this order (null: none). Must not contain null.</param>
    /// <param name="addHistory">Append a <see cref="History"/> unless <paramref name="callbacks"/> already holds one.</param>
    /// <param name="addProgbar">Append a <see cref="ProgbarLogger"/> unless <paramref name="callbacks"/> already holds one.</param>
    /// <param name="model">The model to hand to every callback (<see cref="Callback.SetModel"/>), or null to set it later.</param>
    /// <param name="parameters">The run's parameters (<c>epochs</c>, <c>steps</c>, <c>verbose</c>) to hand to every callback (<see cref="Callback.SetParams"/>), or null.</param>
    /// <exception cref="System.ArgumentException"><paramref name="callbacks"/> contains null.</exception>
    public CallbackList(IEnumerable<Callback>? callbacks = null, bool addHistory = false, bool addProgbar = false,
        Model? model = null, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        _callbacks = (callbacks ?? []).ToList();
        if (_callbacks.Any(c => c is null)) throw new ArgumentException("callbacks must not contain null.", nameof(callbacks));
        History = _callbacks.OfType<History>().FirstOrDefault();
        if (History == null && addHistory)
        {
            History = new History();
            _callbacks.Add(History);
        }
        if (addProgbar && !_callbacks.OfType<ProgbarLogger>().Any())
            _callbacks.Add(new ProgbarLogger());
        if (model != null) SetModel(model);
        if (parameters != null) SetParams(parameters);
    }

    /// <summary>The callbacks, in call order.</summary>
    public IReadOnlyList<Callback> Callbacks => _callbacks;

    /// <summary>The History callback, if any.</summary>
    public History? History { get; }

    /// <inheritdoc />
    public override void SetModel(Model model)
    {
        base.SetModel(model);
        foreach (var c in _callbacks) c.SetModel(model);
    }

    /// <inheritdoc />
    public override void SetIteratorState(Trainers.EpochIteratorState? state)
    {
        base.SetIteratorState(state);
        foreach (var c in _callbacks) c.SetIteratorState(state);
    }

    /// <inheritdoc />
    public override void SetParams(IReadOnlyDictionary<string, object?> parameters)
    {
        base.SetParams(parameters);
        foreach (var c in _callbacks) c.SetParams(parameters);
    }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBegin(logs); }
    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainEnd(logs); }
    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnEpochBegin(epoch, logs); }
    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnEpochEnd(epoch, logs); }
    /// <inheritdoc />
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBatchBegin(batch, logs); }
    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBatchEnd(batch, logs); }
    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBegin(logs); }
    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestEnd(logs); }
    /// <inheritdoc />
    public override void OnTestBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBatchBegin(batch, logs); }
    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTestBatchEnd(batch, logs); }
    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBegin(logs); }
    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictEnd(logs); }
    /// <inheritdoc />
    public override void OnPredictBatchBegin(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBatchBegin(batch, logs); }
    /// <inheritdoc />
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnPredictBatchEnd(batch, logs); }
}
