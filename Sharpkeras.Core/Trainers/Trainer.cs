using Sharpkeras.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// The loops of <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> (Keras's <c>Trainer</c>), made for one call: batches
/// come from an <see cref="EpochIterator"/>, each step runs the model's <c>TrainStep</c>/<c>TestStep</c>/
/// <c>PredictStep</c> inside a DisposeScope (every temporary freed), step logs stay on the device until a
/// callback reads them, and a <see cref="CallbackList"/> fans the hooks out. It holds no state between calls.
/// </summary>
internal sealed class Trainer
{
    private readonly Model _model;
    private IReadOnlyDictionary<string, Tensor>? _lastLogsView;
    private Dictionary<string, Tensor>? _lastLogs;

    public Trainer(Model model) => _model = model;

    // --------------------------------------------------------------------------------- fit

    public History Fit(FitArgs a)
    {
        a.Validate();
        _model.RequireCompiled();
        int batchSize = a.BatchSize ?? 32;
        EpochIterator train;
        EpochIterator? val = null;
        if (a.X != null)
            (train, val) = EpochIterator.ForArrays(_model, a.X, a.Y, a.SampleWeight, batchSize, a.Shuffle, a.StepsPerEpoch,
                a.ClassWeight, a.ValidationSplit, a.ValidationBatchSize, a.InitialEpoch);
        else train = EpochIterator.ForEnumerable(_model, a.Data!, a.StepsPerEpoch, a.ClassWeight, a.InitialEpoch);
        if (a.ValidationX != null)
            val = EpochIterator.ForArrays(_model, a.ValidationX, a.ValidationY, null, a.ValidationBatchSize ?? batchSize, false,
                null, null, xName: "validationData.x", yName: "validationData.y").train;
        else if (a.ValidationDataSource != null) val = EpochIterator.ForEnumerable(_model, a.ValidationDataSource, null);

        using var trainIterator = train;
        using var valIterator = val;
        var state = train.State;
        var parameters = new Dictionary<string, object?> { ["epochs"] = a.Epochs, ["steps"] = train.Steps, ["verbose"] = a.Verbose };
        var dist = Keras.Distribution.Current;
        var callbacks = new CallbackList(dist?.FilterCallbacks(a.Callbacks ?? []) ?? a.Callbacks, addHistory: true,
            addProgbar: a.Verbose != 0 && dist?.IsChief != false, model: _model, parameters: parameters);
        callbacks.SetIteratorState(state);
        var history = callbacks.History!;

        _model.StopTraining = false;
        callbacks.OnTrainBegin(new Dictionary<string, double>());
        // With a distribution, every rank starts where the chief does (after a resume) and with its weights.
        dist?.PrepareFit(_model, state);
        Dictionary<string, double>? trainingLogs = null;
        try
        {
            for (; state.Epoch < a.Epochs; state.Epoch++, state.Step = 0)
            {
                int epoch = state.Epoch;
                _model.ResetMetrics();
                callbacks.OnEpochBegin(epoch, new Dictionary<string, double>());
                bool resumed = state.Step > 0;
                int steps = RunTrainEpoch(train, callbacks, a.CancellationToken);
                dist?.AllReduceMetrics(_model);
                var epochLogs = ReadLogs();
                if (steps == 0 && !resumed)
                    throw new InvalidOperationException("The training data yielded no batches in this epoch.");
                epochLogs["learning_rate"] = _model.Optimizer!.LearningRate;
                if (val != null && ((epoch + 1) % a.ValidationFreq == 0))
                {
                    var valLogs = RunEvaluate(val, a.ValidationSteps, callbacks);
                    foreach (var (k, v) in valLogs) epochLogs["val_" + k] = v;
                }
                CollectStepGarbage();
                callbacks.OnEpochEnd(epoch, epochLogs);
                trainingLogs = epochLogs;
                if (dist?.AnyRank(_model.StopTraining) ?? _model.StopTraining) break;
                a.CancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            DisposeLastLogs();
            callbacks.SetIteratorState(null);
        }
        _model.Optimizer!.FinalizeVariableValues();
        callbacks.OnTrainEnd(trainingLogs ?? new Dictionary<string, double>());
        return history;
    }

    /// <summary>
    /// Collects the youngest .NET generation once per epoch. Every step leaves short-lived managed wrappers
    /// (TorchSharp tensor handles, already disposed, log dictionaries); the .NET GC otherwise lets them fill its whole
    /// gen0 budget (tens of MiB on a server CPU) before the first collection, which showed as resident memory growing
    /// over the first ~10 epochs (LeNet-5: +11%, then flat). A gen0 collection costs a few milliseconds per epoch.
    /// </summary>
    private static void CollectStepGarbage() => GC.Collect(0, GCCollectionMode.Forced, blocking: true);

    private int RunTrainEpoch(EpochIterator iterator, CallbackList callbacks, CancellationToken ct)
    {
        int steps = 0;
        using var epoch = iterator.StartEpoch();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            int step = epoch.Step;
            var raw = epoch.Next();
            if (raw == null) break;
            using (var scope = NewDisposeScope())
            {
                var batch = epoch.Prepare(raw, scope);
                callbacks.OnTrainBatchBegin(step, new Dictionary<string, double>());
                KeepLogs(Keras.Distribution.Current is { } dist ? dist.TrainStep(_model, batch) : _model.TrainStep(batch));
                steps++;
                callbacks.OnTrainBatchEnd(step, new LazyLogs(MaterializeLastLogs));
            }
            // distribution hook: a stop asked for on any rank stops every rank after this step.
            if (Keras.Distribution.Current is { } d ? d.AnyRank(_model.StopTraining) : _model.StopTraining)
            {
                _model.StopTraining = true;
                break;
            }
        }
        return steps;
    }

    // --------------------------------------------------------------------------------- evaluate

    public IReadOnlyDictionary<string, double> Evaluate(Tensor[]? x, Tensor[]? y, IEnumerable<Tensor[]>? data, int? batchSize,
        int verbose, Tensor? sampleWeight, int? steps, IEnumerable<Callback>? callbacks)
    {
        DataChecks.CheckBatchSize(batchSize);
        DataChecks.CheckVerbose(verbose);
        if (steps is <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        _model.RequireCompiled();
        using var iterator = x != null
            ? EpochIterator.ForArrays(_model, x, y, sampleWeight, batchSize ?? 32, false, null, null).train
            : EpochIterator.ForEnumerable(_model, data!, null);
        var dist = Keras.Distribution.Current;
        var cbs = new CallbackList(dist?.FilterCallbacks(callbacks ?? []) ?? callbacks, addProgbar: verbose != 0 && dist?.IsChief != false,
            model: _model, parameters: new Dictionary<string, object?> { ["steps"] = steps ?? iterator.Steps, ["verbose"] = verbose });
        try
        {
            return RunEvaluate(iterator, steps, cbs);
        }
        finally
        {
            DisposeLastLogs();
        }
    }

    private Dictionary<string, double> RunEvaluate(EpochIterator iterator, int? steps, CallbackList callbacks)
    {
        _model.ResetMetrics();
        callbacks.OnTestBegin(new Dictionary<string, double>());
        iterator.State.Step = 0; // every evaluation is a whole pass
        using (var epoch = iterator.StartEpoch())
        {
            int n = 0;
            while (steps == null || n < steps)
            {
                int step = epoch.Step;
                var raw = epoch.Next();
                if (raw == null) break;
                using var scope = NewDisposeScope();
                var batch = epoch.Prepare(raw, scope);
                callbacks.OnTestBatchBegin(step, new Dictionary<string, double>());
                KeepLogs(Keras.Distribution.Current is { } dist ? dist.TestStep(_model, batch) : _model.TestStep(batch));
                callbacks.OnTestBatchEnd(step, new LazyLogs(MaterializeLastLogs));
                n++;
            }
        }
        Keras.Distribution.Current?.AllReduceMetrics(_model);
        var logs = ReadLogs();
        callbacks.OnTestEnd(logs);
        return logs;
    }

    // --------------------------------------------------------------------------------- predict

    public Tensor[] Predict(Tensor[]? x, IEnumerable<Tensor[]>? data, int? batchSize, int verbose, int? steps, IEnumerable<Callback>? callbacks)
    {
        DataChecks.CheckBatchSize(batchSize);
        DataChecks.CheckVerbose(verbose);
        if (steps is <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        if (x != null)
        {
            if (x.Length != _model.InputCount)
                throw new ArgumentException($"Model '{_model.Name}' expects {_model.InputCount} input array(s), got {x.Length}.", nameof(x));
            if (x.Any(t => t is null)) throw new ArgumentNullException(nameof(x));
            if (x[0].dim() == 0 || x[0].shape[0] == 0) throw new ArgumentException("x is empty (0 samples).", nameof(x));
            if (x.Any(t => t.shape[0] != x[0].shape[0]))
                throw new ArgumentException("All inputs must have the same number of samples.", nameof(x));
        }
        using var iterator = x != null
            ? new EpochIterator(new TensorDataAdapter(x, batchSize ?? 32, false), null, _model.Device)
            : EpochIterator.ForEnumerable(_model, data!, null);
        var dist = Keras.Distribution.Current;
        var cbs = new CallbackList(callbacks, addProgbar: verbose != 0 && dist?.IsChief != false, model: _model,
            parameters: new Dictionary<string, object?> { ["steps"] = steps ?? iterator.Steps, ["verbose"] = verbose });
        var outputs = new List<Tensor[]>();
        var batchRows = new List<long>();
        cbs.OnPredictBegin(new Dictionary<string, double>());
        try
        {
            using var epoch = iterator.StartEpoch();
            int n = 0;
            while (steps == null || n < steps)
            {
                int step = epoch.Step;
                var raw = epoch.Next();
                if (raw == null) break;
                using var scope = NewDisposeScope();
                var batch = epoch.Prepare(raw, scope);
                cbs.OnPredictBatchBegin(step, new Dictionary<string, double>());
                // distribution hook: each rank predicts its slice of the batch (null when it is empty).
                var outs = dist is null ? _model.PredictStep(batch) : dist.PredictStep(_model, batch);
                batchRows.Add(batch[0].shape[0]);
                if (outs != null) outputs.Add(outs.Select(o => o.detach().cpu().DetachFromDisposeScope()).ToArray());
                cbs.OnPredictBatchEnd(step, new Dictionary<string, double>());
                n++;
            }
            if (batchRows.Count == 0) throw new ArgumentException("Predict received no batches.", nameof(data));
            Tensor[] result;
            if (dist != null) result = dist.GatherPredictions(batchRows, outputs); // distribution hook: every rank gets all rows
            else
            {
                result = new Tensor[outputs[0].Length];
                for (int i = 0; i < result.Length; i++) result[i] = torch.cat(outputs.Select(o => o[i]).ToArray(), 0).DetachFromDisposeScope();
            }
            cbs.OnPredictEnd(new Dictionary<string, double>());
            return result;
        }
        finally
        {
            foreach (var o in outputs) foreach (var t in o) t.Dispose();
        }
    }

    // --------------------------------------------------------------------------------- on batch

    public Tensor[] PredictOnBatch(Tensor[] x)
    {
        using var iterator = EpochIterator.ForSingleBatch(_model, x, null, null, null, validate: false);
        using var epoch = iterator.StartEpoch();
        var raw = epoch.Next() ?? throw new ArgumentException("x is empty (0 samples).", nameof(x));
        using var scope = NewDisposeScope();
        var outs = _model.PredictStep(epoch.Prepare(raw, scope));
        return outs.Select(o => o.detach().cpu().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>One step of <paramref name="train"/> or test on one batch; metrics reset first if asked.</summary>
    public IReadOnlyDictionary<string, double> RunOnBatch(bool train, Tensor[] x, Tensor[]? y, Tensor? sampleWeight,
        IReadOnlyDictionary<int, double>? classWeight, bool resetMetrics)
    {
        _model.RequireCompiled();
        using var iterator = EpochIterator.ForSingleBatch(_model, x, y, sampleWeight, classWeight, validate: true);
        if (resetMetrics) _model.ResetMetrics();
        try
        {
            using (var epoch = iterator.StartEpoch())
            {
                var raw = epoch.Next()!;
                using var scope = NewDisposeScope();
                var batch = epoch.Prepare(raw, scope);
                KeepLogs(train ? _model.TrainStep(batch) : _model.TestStep(batch));
            }
            return ReadLogs();
        }
        finally
        {
            DisposeLastLogs();
        }
    }

    // --------------------------------------------------------------------------------- logs

    /// <summary>Keeps the last step's logs: a lazy view over the metrics, or tensors kept out of the step scope.</summary>
    private void KeepLogs(IReadOnlyDictionary<string, Tensor> result)
    {
        DisposeLastLogs();
        if (result is MetricResultsView view)
        {
            // Nothing to compute now: results are read from the metrics' persistent state when somebody asks.
            _lastLogsView = view;
            return;
        }
        var kept = new Dictionary<string, Tensor>(result.Count);
        foreach (var (k, v) in result) kept[k] = v.detach().DetachFromDisposeScope();
        _lastLogs = kept;
        _lastLogsView = kept;
    }

    private void DisposeLastLogs()
    {
        _lastLogsView = null;
        if (_lastLogs == null) return;
        foreach (var t in _lastLogs.Values) t.Dispose();
        _lastLogs = null;
    }

    /// <summary>Reads the last step's logs (one device read for all values), inside a scope of its own.</summary>
    private Dictionary<string, double> MaterializeLastLogs()
    {
        var view = _lastLogsView;
        if (view == null) return new Dictionary<string, double>();
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        var lazy = new LazyLogs(() => view);
        return lazy.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private Dictionary<string, double> ReadLogs() => MaterializeLastLogs();
}
