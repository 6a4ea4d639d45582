namespace Sharpkeras.Callbacks;

/// <summary>
/// A callback built from functions (Keras's <c>keras.callbacks.LambdaCallback</c>); each hook left null does nothing.
/// Epoch and batch hooks get (index, logs); the others get the logs.
/// </summary>
public sealed class LambdaCallback : Callback
{
    private readonly Action<int, IDictionary<string, double>>? _onEpochBegin, _onEpochEnd, _onTrainBatchBegin, _onTrainBatchEnd,
        _onTestBatchBegin, _onTestBatchEnd, _onPredictBatchBegin, _onPredictBatchEnd;
    private readonly Action<IDictionary<string, double>>? _onTrainBegin, _onTrainEnd, _onTestBegin, _onTestEnd, _onPredictBegin, _onPredictEnd;

    /// <summary>Creates the callback.</summary>
    /// <param name="onEpochBegin">At the start of an epoch.</param>
    /// <param name="onEpochEnd">At the end of an epoch.</param>
    /// <param name="onTrainBegin">At the start of training.</param>
    /// <param name="onTrainEnd">At the end of training.</param>
    /// <param name="onTrainBatchBegin">Before a training batch.</param>
    /// <param name="onTrainBatchEnd">After a training batch.</param>
    /// <param name="onTestBegin">At the start of evaluation.</param>
    /// <param name="onTestEnd">At the end of evaluation.</param>
    /// <param name="onTestBatchBegin">Before an evaluation batch.</param>
    /// <param name="onTestBatchEnd">After an evaluation batch.</param>
    /// <param name="onPredictBegin">At the start of prediction.</param>
    /// <param name="onPredictEnd">At the end of prediction.</param>
    /// <param name="onPredictBatchBegin">Before a prediction batch.</param>
    /// <param name="onPredictBatchEnd">After a prediction batch.</param>
    public LambdaCallback(
        Action<int, IDictionary<string, double>>? onEpochBegin = null,
        Action<int, IDictionary<string, double>>? onEpochEnd = null,
        Action<IDictionary<string, double>>? onTrainBegin = null,
        Action<IDictionary<string, double>>? onTrainEnd = null,
        Action<int, IDictionary<string, double>>? onTrainBatchBegin = null,
        Action<int, IDictionary<string, double>>? onTrainBatchEnd = null,
        Action<IDictionary<string, double>>? onTestBegin = null,
        Action<IDictionary<string, double>>? onTestEnd = null,
        Action<int, IDictionary<string, double>>? onTestBatchBegin = null,
        Action<int, IDictionary<string, double>>? onTestBatchEnd = null,
        Action<IDictionary<string, double>>? onPredictBegin = null,
        Action<IDictionary<string, double>>? onPredictEnd = null,
        Action<int, IDictionary<string, double>>? onPredictBatchBegin = null,
        Action<int, IDictionary<string, double>>? onPredictBatchEnd = null)
    {
        _onEpochBegin = onEpochBegin; _onEpochEnd = onEpochEnd; _onTrainBegin = onTrainBegin; _onTrainEnd = onTrainEnd;
        _onTrainBatchBegin = onTrainBatchBegin; _onTrainBatchEnd = onTrainBatchEnd;
        _onTestBegin = onTestBegin; _onTestEnd = onTestEnd; _onTestBatchBegin = onTestBatchBegin; _onTestBatchEnd = onTestBatchEnd;
        _onPredictBegin = onPredictBegin; _onPredictEnd = onPredictEnd; _onPredictBatchBegin = onPredictBatchBegin; _onPredictBatchEnd = onPredictBatchEnd;
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _onEpochBegin?.Invoke(epoch, logs);
    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => _onEpochEnd?.Invoke(epoch, logs);
    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs) => _onTrainBegin?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double> logs) => _onTrainEnd?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => _onTrainBatchBegin?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => _onTrainBatchEnd?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double> logs) => _onTestBegin?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double> logs) => _onTestEnd?.Invoke(logs);
    /// <inheritdoc />
    public override void OnTestBatchBegin(int batch, IDictionary<string, double> logs) => _onTestBatchBegin?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs) => _onTestBatchEnd?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double> logs) => _onPredictBegin?.Invoke(logs);
    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double> logs) => _onPredictEnd?.Invoke(logs);
    /// <inheritdoc />
    public override void OnPredictBatchBegin(int batch, IDictionary<string, double> logs) => _onPredictBatchBegin?.Invoke(batch, logs);
    /// <inheritdoc />
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) => _onPredictBatchEnd?.Invoke(batch, logs);
}
