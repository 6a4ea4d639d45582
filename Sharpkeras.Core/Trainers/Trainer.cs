using Sharpkeras.Callbacks;
using Sharpkeras.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>The arguments of one <c>Fit</c> call, whatever overload was used.</summary>
internal sealed class FitArgs
{
    public Tensor[]? X { get; init; }
    public Tensor[]? Y { get; init; }
    public IEnumerable<Tensor[]>? Data { get; init; }
    public int? BatchSize { get; init; }
    public int Epochs { get; init; } = 1;
    public int Verbose { get; init; } = 1;
    public IEnumerable<Callback>? Callbacks { get; init; }
    public double ValidationSplit { get; init; }
    public Tensor[]? ValidationX { get; init; }
    public Tensor[]? ValidationY { get; init; }
    public IEnumerable<Tensor[]>? ValidationDataSource { get; init; }
    public bool Shuffle { get; init; } = true;
    public IReadOnlyDictionary<int, double>? ClassWeight { get; init; }
    public Tensor? SampleWeight { get; init; }
    public int InitialEpoch { get; init; }
    public int? StepsPerEpoch { get; init; }
    public int? ValidationSteps { get; init; }
    public int? ValidationBatchSize { get; init; }
    public int ValidationFreq { get; init; } = 1;
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>
/// Runs training, evaluation and prediction for a compiled <see cref="Model"/> (Keras's <c>Trainer</c>):
/// batches come from the <see cref="EpochIterator"/>, each step runs inside a DisposeScope (every temporary
/// freed), logs stay on the device until a callback reads them, and callbacks are fanned out by a
/// <see cref="CallbackList"/>.
/// </summary>
internal sealed class Trainer : IDisposable
{
    private readonly Model _model;

    public Trainer(Model model, CompileState state)
    {
        _model = model;
        State = state;
    }

    public CompileState State { get; }

    /// <summary>The logs of the last step, kept (detached from the step scope) until the next step.</summary>
    private Dictionary<string, Tensor>? _lastLogs;

    public void OnModelMoved()
    {
        if (State.Optimizer.Built) State.Optimizer.Build(_model.TrainableWeights);
    }

    // --------------------------------------------------------------------------------- validation

    private static void CheckBatchSize(int? batchSize)
    {
        if (batchSize is <= 0) throw new ArgumentOutOfRangeException("batchSize", batchSize, "batchSize must be a positive integer.");
    }

    /// <summary>Checks tensors before any work: counts, lengths, emptiness, NaN/Inf, labels. Throws ArgumentException naming the argument.</summary>
    private void ValidateArrays(Tensor[] x, Tensor[]? y, Tensor? sampleWeight, string xName, string yName)
    {
        if (x.Length != _model.InputCount)
            throw new ArgumentException($"Model '{_model.Name}' expects {_model.InputCount} input array(s), got {x.Length}.", xName);
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] is null) throw new ArgumentNullException(xName, $"{xName}[{i}] is null.");
            if (x[i].dim() == 0) throw new ArgumentException($"{xName} must have a sample axis; got a scalar.", xName);
        }
        long n = x[0].shape[0];
        if (n == 0) throw new ArgumentException($"{xName} is empty (0 samples).", xName);
        foreach (var (t, i) in x.Select((t, i) => (t, i)))
            if (t.shape[0] != n) throw new ArgumentException($"All inputs must have the same number of samples: {xName}[0] has {n}, {xName}[{i}] has {t.shape[0]}.", xName);
        if (y != null)
        {
            if (y.Length != _model.OutputCount)
                throw new ArgumentException($"Model '{_model.Name}' has {_model.OutputCount} output(s), got {y.Length} target array(s).", yName);
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] is null) throw new ArgumentNullException(yName, $"{yName}[{i}] is null.");
                if (y[i].dim() == 0 || y[i].shape[0] != n)
                    throw new ArgumentException($"{xName} and {yName} must have the same number of samples: {xName} has {n}, {yName} has {(y[i].dim() == 0 ? 0 : y[i].shape[0])}.", yName);
            }
        }
        if (sampleWeight is not null && (sampleWeight.dim() == 0 || sampleWeight.shape[0] != n))
            throw new ArgumentException($"sampleWeight must have one weight per sample ({n}); got shape ({string.Join(", ", sampleWeight.shape)}).", "sampleWeight");
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        for (int i = 0; i < x.Length; i++)
            if (x[i].dtype.IsFloat() && !torch.isfinite(x[i]).all().item<bool>())
                throw new ArgumentException($"{xName} contains NaN or infinite values.", xName);
        if (y != null)
        {
            for (int o = 0; o < y.Length; o++)
            {
                var t = y[o];
                if (t.dtype.IsFloat() && !torch.isfinite(t).all().item<bool>())
                    throw new ArgumentException($"{yName} contains NaN or infinite values.", yName);
                if (State.Losses[o] is SparseCategoricalCrossentropy)
                {
                    if (t.dtype == ScalarType.Bool || t.dtype.IsComplexType())
                        throw new ArgumentException($"{yName}: sparse labels must be integers (int64, int32 or uint8); got {t.dtype}.", yName);
                    if (t.dtype.IsFloat() && !t.eq(t.floor()).all().item<bool>())
                        throw new ArgumentException($"{yName}: sparse labels must be whole numbers; got fractional values in a {t.dtype} tensor.", yName);
                    var lo = t.min().to(ScalarType.Float64).item<double>();
                    var hi = t.max().to(ScalarType.Float64).item<double>();
                    var outShape = _model.OutputCount == 1 ? _model.OutputShape : _model.Outputs.ElementAtOrDefault(o)?.Shape;
                    int? classes = outShape is { Length: > 0 } ? outShape[^1] : null;
                    if (lo < 0 || (classes is int c && hi >= c))
                        throw new ArgumentException(
                            $"{yName}: labels must be in [0, {(classes is int cc ? (cc - 1).ToString() : "classes-1")}] for the output of {(classes?.ToString() ?? "?")} classes; got values from {lo} to {hi}.", yName);
                }
            }
        }
        if (sampleWeight is not null && sampleWeight.dtype.IsFloat() && !torch.isfinite(sampleWeight).all().item<bool>())
            throw new ArgumentException("sampleWeight contains NaN or infinite values.", "sampleWeight");
    }

    private static Tensor ClassWeightsToSampleWeights(IReadOnlyDictionary<int, double> classWeight, Tensor y)
    {
        using var scope = NewDisposeScope();
        var labels = y.dim() > 1 && y.shape[^1] > 1 ? y.argmax(-1) : y.reshape(y.shape[0], -1)[.., 0];
        labels = labels.to(ScalarType.Int64).cpu();
        int max = Math.Max(classWeight.Keys.DefaultIfEmpty(0).Max(), (int)labels.max().item<long>()) + 1;
        var table = new float[max];
        for (int i = 0; i < max; i++) table[i] = classWeight.TryGetValue(i, out var w) ? (float)w : 1f;
        return torch.tensor(table).index_select(0, labels).MoveToOuterDisposeScope();
    }

    // --------------------------------------------------------------------------------- fit

    public History Fit(FitArgs a)
    {
        CheckBatchSize(a.BatchSize);
        if (a.Epochs < 0) throw new ArgumentOutOfRangeException("epochs", a.Epochs, "epochs must be >= 0.");
        if (a.InitialEpoch < 0) throw new ArgumentOutOfRangeException("initialEpoch", a.InitialEpoch, "initialEpoch must be >= 0.");
        if (a.Verbose is < 0 or > 2) throw new ArgumentOutOfRangeException("verbose", a.Verbose, "verbose must be 0, 1 or 2.");
        if (a.StepsPerEpoch is <= 0) throw new ArgumentOutOfRangeException("stepsPerEpoch", a.StepsPerEpoch, "stepsPerEpoch must be positive.");
        if (a.ValidationSteps is <= 0) throw new ArgumentOutOfRangeException("validationSteps", a.ValidationSteps, "validationSteps must be positive.");
        if (a.ValidationFreq <= 0) throw new ArgumentOutOfRangeException("validationFreq", a.ValidationFreq, "validationFreq must be positive.");
        CheckBatchSize(a.ValidationBatchSize);
        if (a.ValidationSplit != 0 && !(a.ValidationSplit > 0 && a.ValidationSplit < 1))
            throw new ArgumentOutOfRangeException("validationSplit", a.ValidationSplit, "validationSplit must be in (0, 1), or 0 for none.");
        if (a.ValidationSplit != 0 && (a.ValidationX != null || a.ValidationDataSource != null))
            throw new ArgumentException("Pass either validationSplit or validationData, not both.", "validationSplit");
        var callbackList = (a.Callbacks ?? []).ToList();
        if (callbackList.Any(c => c is null)) throw new ArgumentException("callbacks must not contain null.", "callbacks");

        int batchSize = a.BatchSize ?? 32;
        DataAdapter train;
        DataAdapter? val = null;
        var device = _model.Device;
        if (a.X != null)
        {
            ValidateArrays(a.X, a.Y, a.SampleWeight, "x", "y");
            var x = a.X; var y = a.Y; var sw = a.SampleWeight;
            if (a.ClassWeight != null)
            {
                if (y == null || y.Length != 1) throw new ArgumentException("classWeight needs exactly one target array.", "classWeight");
                if (a.ClassWeight.Any(kv => kv.Key < 0 || !double.IsFinite(kv.Value)))
                    throw new ArgumentException("classWeight keys must be class indices >= 0 and weights finite numbers.", "classWeight");
                var cw = ClassWeightsToSampleWeights(a.ClassWeight, y[0]);
                sw = sw is null ? cw : sw * cw.to(sw.dtype, sw.device);
            }
            Tensor[] all = [.. x, .. y ?? [], .. sw is null ? Array.Empty<Tensor>() : [sw]];
            if (a.ValidationSplit > 0)
            {
                long n = x[0].shape[0];
                long split = (long)Math.Floor(n * (1.0 - a.ValidationSplit));
                if (split <= 0 || split >= n)
                    throw new ArgumentException($"validationSplit {a.ValidationSplit} leaves no training or no validation samples out of {n}.", "validationSplit");
                var trainArrays = all.Select(t => t.narrow(0, 0, split)).ToArray();
                var valArrays = all.Select(t => t.narrow(0, split, n - split)).ToArray();
                train = new TensorDataAdapter(trainArrays, batchSize, a.Shuffle);
                val = new TensorDataAdapter(valArrays, a.ValidationBatchSize ?? batchSize, false);
            }
            else train = new TensorDataAdapter(all, batchSize, a.Shuffle);
        }
        else
        {
            if (a.BatchSize != null) throw new ArgumentException("Do not pass batchSize with a dataset: batch the dataset instead.", "batchSize");
            train = new EnumerableDataAdapter(ClassWeighted(a.Data!, a.ClassWeight));
        }
        if (a.ValidationX != null)
        {
            ValidateArrays(a.ValidationX, a.ValidationY, null, "validationData.x", "validationData.y");
            Tensor[] vall = [.. a.ValidationX, .. a.ValidationY ?? []];
            val = new TensorDataAdapter(vall, a.ValidationBatchSize ?? batchSize, false);
        }
        else if (a.ValidationDataSource != null) val = new EnumerableDataAdapter(a.ValidationDataSource);

        using var iterator = new EpochIterator(train, a.StepsPerEpoch, device);
        var parameters = new Dictionary<string, object?> { ["epochs"] = a.Epochs, ["steps"] = iterator.Steps, ["verbose"] = a.Verbose };
        var callbacks = new CallbackList(callbackList, addHistory: true, addProgbar: a.Verbose != 0, model: _model, parameters: parameters);
        var history = callbacks.History!;

        _model.StopTraining = false;
        callbacks.OnTrainBegin(new Dictionary<string, double>());
        // A callback (BackupAndRestore) may resume an interrupted run: start epoch and batches already done.
        int firstEpoch = _model.ResumeInitialEpoch ?? a.InitialEpoch;
        int skipSteps = _model.ResumeSkipSteps;
        _model.ResumeInitialEpoch = null;
        _model.ResumeSkipSteps = 0;
        Dictionary<string, double>? trainingLogs = null;
        try
        {
            for (int epoch = firstEpoch; epoch < a.Epochs; epoch++)
            {
                _model.ResetMetrics();
                callbacks.OnEpochBegin(epoch, new Dictionary<string, double>());
                int steps = RunTrainEpoch(iterator, callbacks, a.CancellationToken, skipSteps, out int skipped);
                skipSteps = 0;
                var epochLogs = ReadLogs();
                if (steps == 0 && skipped == 0)
                    throw new InvalidOperationException("The training data yielded no batches in this epoch.");
                epochLogs["learning_rate"] = State.Optimizer.LearningRate;
                if (val != null && ((epoch + 1) % a.ValidationFreq == 0))
                {
                    var valLogs = RunEvaluate(val, a.ValidationSteps, callbacks, device);
                    foreach (var (k, v) in valLogs) epochLogs["val_" + k] = v;
                }
                callbacks.OnEpochEnd(epoch, epochLogs);
                trainingLogs = epochLogs;
                if (_model.StopTraining) break;
                a.CancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            DisposeLastLogs();
        }
        State.Optimizer.FinalizeVariableValues();
        callbacks.OnTrainEnd(trainingLogs ?? new Dictionary<string, double>());
        return history;
    }

    private static IEnumerable<Tensor[]> ClassWeighted(IEnumerable<Tensor[]> data, IReadOnlyDictionary<int, double>? classWeight)
    {
        if (classWeight == null) return data;
        return data.Select(b =>
        {
            if (b.Length < 2) throw new ArgumentException("classWeight needs batches with targets.", "classWeight");
            var cw = ClassWeightsToSampleWeights(classWeight, b[^1]);
            return (Tensor[])[.. b, cw];
        });
    }

    private int RunTrainEpoch(EpochIterator iterator, CallbackList callbacks, CancellationToken ct, int skip, out int skipped)
    {
        int steps = 0;
        skipped = 0;
        using var epoch = iterator.StartEpoch();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            LazyLogs logs;
            using (var scope = NewDisposeScope())
            {
                var batch = epoch.TryNext(scope, out int step);
                if (batch == null) break;
                if (skipped < skip) { skipped++; continue; } // already trained before an interruption
                callbacks.OnTrainBatchBegin(step, new Dictionary<string, double>());
                var result = _model.TrainStep(batch);
                KeepLogs(result);
                steps++;
                logs = new LazyLogs(MaterializeLastLogs);
                callbacks.OnTrainBatchEnd(step, logs);
            }
            if (_model.StopTraining) break;
        }
        return steps;
    }

    /// <summary>The logs of the last step: either a lazy view over the metrics, or tensors kept out of the step scope.</summary>
    private IReadOnlyDictionary<string, Tensor>? _lastLogsView;

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

    // --------------------------------------------------------------------------------- evaluate

    public IReadOnlyDictionary<string, double> Evaluate(Tensor[]? x, Tensor[]? y, IEnumerable<Tensor[]>? data, int? batchSize,
        int verbose, Tensor? sampleWeight, int? steps, IEnumerable<Callback>? callbacks, object? _)
    {
        CheckBatchSize(batchSize);
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0, 1 or 2.");
        if (steps is <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        DataAdapter adapter;
        if (x != null)
        {
            ValidateArrays(x, y, sampleWeight, "x", "y");
            Tensor[] all = [.. x, .. y ?? [], .. sampleWeight is null ? Array.Empty<Tensor>() : [sampleWeight]];
            adapter = new TensorDataAdapter(all, batchSize ?? 32, false);
        }
        else adapter = new EnumerableDataAdapter(data!);
        var list = (callbacks ?? []).ToList();
        var iteratorSteps = steps ?? (adapter.NumBatches is long nb ? (int)nb : null);
        var cbs = new CallbackList(list, addProgbar: verbose != 0, model: _model,
            parameters: new Dictionary<string, object?> { ["steps"] = iteratorSteps, ["verbose"] = verbose });
        try
        {
            return RunEvaluate(adapter, steps, cbs, _model.Device);
        }
        finally
        {
            DisposeLastLogs();
        }
    }

    private Dictionary<string, double> RunEvaluate(DataAdapter adapter, int? steps, CallbackList callbacks, Device device)
    {
        using var iterator = new EpochIterator(adapter, null, device);
        _model.ResetMetrics();
        callbacks.OnTestBegin(new Dictionary<string, double>());
        using (var epoch = iterator.StartEpoch())
        {
            int n = 0;
            while (steps == null || n < steps)
            {
                using var scope = NewDisposeScope();
                var batch = epoch.TryNext(scope, out int step);
                if (batch == null) break;
                callbacks.OnTestBatchBegin(step, new Dictionary<string, double>());
                KeepLogs(_model.TestStep(batch));
                callbacks.OnTestBatchEnd(step, new LazyLogs(MaterializeLastLogs));
                n++;
            }
        }
        var logs = ReadLogs();
        callbacks.OnTestEnd(logs);
        return logs;
    }

    // --------------------------------------------------------------------------------- predict

    public static Tensor[] Predict(Model model, Tensor[]? x, IEnumerable<Tensor[]>? data, int? batchSize, int verbose, int? steps,
        IEnumerable<Callback>? callbacks)
    {
        CheckBatchSize(batchSize);
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0, 1 or 2.");
        if (steps is <= 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be positive.");
        DataAdapter adapter;
        if (x != null)
        {
            if (x.Length != model.InputCount)
                throw new ArgumentException($"Model '{model.Name}' expects {model.InputCount} input array(s), got {x.Length}.", nameof(x));
            if (x.Any(t => t is null)) throw new ArgumentNullException(nameof(x));
            if (x[0].dim() == 0 || x[0].shape[0] == 0) throw new ArgumentException("x is empty (0 samples).", nameof(x));
            if (x.Any(t => t.shape[0] != x[0].shape[0]))
                throw new ArgumentException("All inputs must have the same number of samples.", nameof(x));
            adapter = new TensorDataAdapter(x, batchSize ?? 32, false);
        }
        else adapter = new EnumerableDataAdapter(data!);
        var cbs = new CallbackList((callbacks ?? []).ToList(), addProgbar: verbose != 0, model: model,
            parameters: new Dictionary<string, object?> { ["steps"] = steps ?? (adapter.NumBatches is long nb ? (int)nb : null), ["verbose"] = verbose });
        using var iterator = new EpochIterator(adapter, null, model.Device);
        var outputs = new List<Tensor[]>();
        cbs.OnPredictBegin(new Dictionary<string, double>());
        try
        {
            using var epoch = iterator.StartEpoch();
            int n = 0;
            while (steps == null || n < steps)
            {
                using var scope = NewDisposeScope();
                var batch = epoch.TryNext(scope, out int step);
                if (batch == null) break;
                cbs.OnPredictBatchBegin(step, new Dictionary<string, double>());
                var outs = model.PredictStep(batch);
                outputs.Add(outs.Select(o => o.detach().cpu().DetachFromDisposeScope()).ToArray());
                cbs.OnPredictBatchEnd(step, new Dictionary<string, double>());
                n++;
            }
            if (outputs.Count == 0) throw new ArgumentException("Predict received no batches.", nameof(data));
            int k = outputs[0].Length;
            var result = new Tensor[k];
            for (int i = 0; i < k; i++) result[i] = torch.cat(outputs.Select(o => o[i]).ToArray(), 0).DetachFromDisposeScope();
            cbs.OnPredictEnd(new Dictionary<string, double>());
            return result;
        }
        finally
        {
            foreach (var o in outputs) foreach (var t in o) t.Dispose();
        }
    }

    public static Tensor[] PredictOnBatch(Model model, Tensor[] x)
    {
        using var scope = NewDisposeScope();
        var device = model.Device;
        var moved = x.Select(t => Engine.DeviceUtils.IsOn(t, device) ? t : t.to(device)).ToArray();
        var outs = model.PredictStep(moved);
        return outs.Select(o => o.detach().cpu().MoveToOuterDisposeScope()).ToArray();
    }

    // --------------------------------------------------------------------------------- on batch

    public IReadOnlyDictionary<string, double> TrainOnBatch(Tensor[] x, Tensor[]? y, Tensor? sampleWeight,
        IReadOnlyDictionary<int, double>? classWeight, bool resetMetrics)
    {
        ValidateArrays(x, y, sampleWeight, "x", "y");
        if (resetMetrics) _model.ResetMetrics();
        using (var scope = NewDisposeScope())
        {
            var sw = sampleWeight;
            if (classWeight != null && y != null)
            {
                var cw = ClassWeightsToSampleWeights(classWeight, y[0]);
                sw = sw is null ? cw : sw * cw;
            }
            var device = _model.Device;
            Tensor[] batch = [.. x, .. y ?? [], .. sw is null ? Array.Empty<Tensor>() : [sw]];
            batch = batch.Select(t => Engine.DeviceUtils.IsOn(t, device) ? t : t.to(device)).ToArray();
            KeepLogs(_model.TrainStep(batch));
        }
        try { return ReadLogs(); } finally { DisposeLastLogs(); }
    }

    public IReadOnlyDictionary<string, double> TestOnBatch(Tensor[] x, Tensor[]? y, Tensor? sampleWeight, bool resetMetrics)
    {
        ValidateArrays(x, y, sampleWeight, "x", "y");
        if (resetMetrics) _model.ResetMetrics();
        using (var scope = NewDisposeScope())
        {
            var device = _model.Device;
            Tensor[] batch = [.. x, .. y ?? [], .. sampleWeight is null ? Array.Empty<Tensor>() : [sampleWeight]];
            batch = batch.Select(t => Engine.DeviceUtils.IsOn(t, device) ? t : t.to(device)).ToArray();
            KeepLogs(_model.TestStep(batch));
        }
        try { return ReadLogs(); } finally { DisposeLastLogs(); }
    }

    public void Dispose()
    {
        DisposeLastLogs();
    }
}
