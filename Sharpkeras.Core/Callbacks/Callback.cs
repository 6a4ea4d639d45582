namespace Sharpkeras.Callbacks;

/// <summary>
/// Base class of callbacks (Keras's <c>keras.callbacks.Callback</c>). Override any hook; epochs and batches
/// are numbered from 0. Epoch-end logs hold "loss", the metrics, "val_*" and "learning_rate"; batch logs
/// hold the running loss and metrics and are read from the device only when a callback reads them.
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained, evaluated or run (set by the trainer).</summary>
    public Model? Model { get; private set; }

    /// <summary>Training parameters: "epochs", "steps", "verbose".</summary>
    public IReadOnlyDictionary<string, object?> Params { get; private set; } = new Dictionary<string, object?>();

    /// <summary>
    /// Where the running <c>Fit</c> stands in its data (epoch, step, shuffle seed), during <c>Fit</c> only; a callback
    /// that resumes training (<see cref="BackupAndRestore"/>) reads and sets it in <see cref="OnTrainBegin"/>.
    /// </summary>
    public Trainers.EpochIteratorState? IteratorState { get; private set; }

    /// <summary>Called by the trainer at the start and end of <c>Fit</c> with the data iterator's state.</summary>
    /// <param name="state">The state, or null after training.</param>
    public virtual void SetIteratorState(Trainers.EpochIteratorState? state) => IteratorState = state;

    /// <summary>Called by the trainer before training (Keras's <c>set_model</c>).</summary>
    /// <param name="model">The model.</param>
    public virtual void SetModel(Model model) => Model = model;

    /// <summary>Called by the trainer with the run's parameters (Keras's <c>set_params</c>).</summary>
    /// <param name="parameters">"epochs", "steps", "verbose".</param>
    public virtual void SetParams(IReadOnlyDictionary<string, object?> parameters) => Params = parameters;

    /// <summary>At the start of <c>Fit</c>.</summary>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnTrainBegin(IDictionary<string, double> logs) { }
    /// <summary>At the end of <c>Fit</c>.</summary>
    /// <param name="logs">The last epoch's logs (as passed to <see cref="OnEpochEnd"/>), or empty when no epoch ran.</param>
    public virtual void OnTrainEnd(IDictionary<string, double> logs) { }
    /// <summary>At the start of an epoch.</summary>
    /// <param name="epoch">The epoch's index, 0-based (Keras counts the same way; the progress bar shows it plus one).</param>
    /// <param name="logs">Empty at this point in Keras 3; reserved for future use.</param>
    public virtual void OnEpochBegin(int epoch, IDictionary<string, double> logs) { }
    /// <summary>At the end of an epoch, after validation.</summary>
    /// <param name="epoch">The epoch's index, 0-based.</param>
    /// <param name="logs">The epoch's results: the training loss and metrics (e.g. <c>loss</c>, <c>accuracy</c>), <c>learning_rate</c> and, when validation ran this epoch, the validation results with a <c>val_</c> prefix. A callback may add entries for the callbacks after it.</param>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs) { }
    /// <summary>Before a training batch.</summary>
    /// <param name="batch">The batch's index within the current epoch, 0-based.</param>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) { }
    /// <summary>After a training batch.</summary>
    /// <param name="batch">The batch's index within the current epoch, 0-based.</param>
    /// <param name="logs">The loss and metrics averaged over the epoch's batches so far. Reading them costs a read back from the device, so a callback that does not need every batch should not touch them.</param>
    public virtual void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) { }
    /// <summary>At the start of evaluation (also validation inside Fit).</summary>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnTestBegin(IDictionary<string, double> logs) { }
    /// <summary>At the end of evaluation.</summary>
    /// <param name="logs">The evaluation's final loss and metrics (without the <c>val_</c> prefix, also during validation inside <c>Fit</c>).</param>
    public virtual void OnTestEnd(IDictionary<string, double> logs) { }
    /// <summary>Before an evaluation batch.</summary>
    /// <param name="batch">The batch's index within this evaluation, 0-based.</param>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnTestBatchBegin(int batch, IDictionary<string, double> logs) { }
    /// <summary>After an evaluation batch.</summary>
    /// <param name="batch">The batch's index within this evaluation, 0-based.</param>
    /// <param name="logs">The loss and metrics averaged over the batches evaluated so far (without the <c>val_</c> prefix, also during validation inside <c>Fit</c>).</param>
    public virtual void OnTestBatchEnd(int batch, IDictionary<string, double> logs) { }
    /// <summary>At the start of prediction.</summary>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnPredictBegin(IDictionary<string, double> logs) { }
    /// <summary>At the end of prediction.</summary>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnPredictEnd(IDictionary<string, double> logs) { }
    /// <summary>Before a prediction batch.</summary>
    /// <param name="batch">The batch's index within this <c>Predict</c> call, 0-based.</param>
    /// <param name="logs">Empty in Keras 3; reserved for future use.</param>
    public virtual void OnPredictBatchBegin(int batch, IDictionary<string, double> logs) { }
    /// <summary>After a prediction batch.</summary>
    /// <param name="batch">The batch's index within this <c>Predict</c> call, 0-based.</param>
    /// <param name="logs">Empty: prediction computes no loss or metric (the outputs are not passed, so nothing is read from the device).</param>
    public virtual void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) { }
}
