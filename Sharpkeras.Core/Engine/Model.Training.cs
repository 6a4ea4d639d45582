using Sharpkeras.Callbacks;
using Sharpkeras.Losses;
using Sharpkeras.Metrics;
using Sharpkeras.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

public partial class Model
{
    private Trainer? _trainer;

    internal Trainer? TrainerOrNull => _trainer;

    internal Trainer Trainer => _trainer ?? throw new InvalidOperationException(
        $"Model '{Name}' must be compiled before training or evaluating: call Compile(optimizer, loss, metrics) first.");

    /// <summary>Set to true (e.g. by a callback) to stop <c>Fit</c> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>The optimizer given to <see cref="Compile"/>, or null before it.</summary>
    public Optimizers.Optimizer? Optimizer => _trainer?.State.Optimizer;

    /// <summary>Whether <see cref="Compile"/> has been called.</summary>
    public bool Compiled => _trainer != null;

    /// <summary>The metrics tracked by the trainer (the loss tracker first), once training or evaluation has started.</summary>
    public IReadOnlyList<Metric> Metrics => _trainer?.State.AllMetrics().ToList() ?? [];

    /// <summary>
    /// Configures the model for training (Keras's <c>compile</c>).
    /// </summary>
    /// <param name="optimizer">An alias ("adam", "sgd", "rmsprop", …) or an <see cref="Optimizers.Optimizer"/>; default "rmsprop".</param>
    /// <param name="loss">An alias ("sparse_categorical_crossentropy", "mse", …), a <see cref="Loss"/>, or one per output (array, or dictionary by output layer name).</param>
    /// <param name="metrics">Aliases ("accuracy", "mae", …) or <see cref="Metric"/> objects, applied to every output.</param>
    /// <param name="lossWeights">Weights of the per-output losses in the total (default 1 each).</param>
    public void Compile(object? optimizer = null, object? loss = null, IEnumerable<object>? metrics = null, double[]? lossWeights = null)
    {
        var opt = Optimizers.Optimizer.Get(optimizer ?? "rmsprop");
        int outputs = OutputCount;
        var names = OutputNames;
        Loss?[] losses = loss switch
        {
            null => new Loss?[outputs],
            string or Loss => Enumerable.Range(0, outputs).Select(_ => (Loss?)Loss.Get(loss)).ToArray(),
            IDictionary<string, object> d => names.Select(n => d.TryGetValue(n, out var l) && l != null ? Loss.Get(l) : null).ToArray(),
            System.Collections.IEnumerable list => list.Cast<object?>().Select(l => l == null ? null : Loss.Get(l)).ToArray(),
            _ => [Loss.Get(loss)],
        };
        if (loss is IDictionary<string, object> dict)
            foreach (var k in dict.Keys)
                if (!names.Contains(k)) throw new ArgumentException($"loss names output '{k}', but the outputs are: {string.Join(", ", names)}.", nameof(loss));
        if (losses.Length != outputs)
            throw new ArgumentException($"loss has {losses.Length} entries but model '{Name}' has {outputs} output(s).", nameof(loss));
        var weights = lossWeights ?? Enumerable.Repeat(1.0, outputs).ToArray();
        if (weights.Length != outputs)
            throw new ArgumentException($"lossWeights has {weights.Length} entries but model '{Name}' has {outputs} output(s).", nameof(lossWeights));
        var specs = (metrics ?? []).ToArray();
        foreach (var s in specs)
        {
            if (s is null) throw new ArgumentException("metrics must not contain null.", nameof(metrics));
            if (s is string str && str != "accuracy" && str != "acc") _ = Metric.Get(str); // validate the alias now
            else if (s is not string && s is not Metric) throw new ArgumentException($"Cannot interpret metric '{s}' ({s.GetType().Name}).", nameof(metrics));
        }
        _trainer?.Dispose();
        _trainer = new Trainer(this, new CompileState
        {
            Optimizer = opt, Losses = losses, LossWeights = weights, MetricSpecs = specs, OutputNames = names,
        });
    }

    // ------------------------------------------------------------------------------- steps (override points)

    /// <summary>
    /// One training step on a batch <c>[x…, y…, sampleWeight?]</c> (Keras's <c>train_step</c>): forward,
    /// loss, backward, optimizer step, metric updates. Override it for custom training (e.g. GANs). Returns
    /// the logs as tensors (nothing is read back from the device here).
    /// </summary>
    public virtual IReadOnlyDictionary<string, Tensor> TrainStep(Tensor[] data)
    {
        var (x, y, sw) = UnpackData(data);
        var yPred = Forward(x, training: true);
        var loss = ComputeLoss(x, y, yPred, sw, training: true);
        var opt = Trainer.State.Optimizer;
        if (!opt.Built) opt.Build(TrainableWeights);
        opt.ZeroGrad();
        opt.ScaleLoss(loss).backward();
        opt.Step();
        return ComputeMetrics(x, y, yPred, sw);
    }

    /// <summary>One evaluation step (Keras's <c>test_step</c>): forward in inference mode, loss, metrics.</summary>
    public virtual IReadOnlyDictionary<string, Tensor> TestStep(Tensor[] data)
    {
        using var _ = torch.no_grad();
        var (x, y, sw) = UnpackData(data);
        var yPred = Forward(x, training: false);
        ComputeLoss(x, y, yPred, sw, training: false);
        return ComputeMetrics(x, y, yPred, sw);
    }

    /// <summary>One prediction step (Keras's <c>predict_step</c>): the outputs in inference mode.</summary>
    public virtual Tensor[] PredictStep(Tensor[] data)
    {
        using var _ = torch.no_grad();
        var x = data.Length > InputCount ? data[..InputCount] : data;
        return Forward(x, training: false);
    }

    /// <summary>Splits a batch into inputs, targets and sample weights, by the model's input and output counts.</summary>
    protected (Tensor[] x, Tensor[]? y, Tensor? sampleWeight) UnpackData(Tensor[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int nin = InputCount, nout = OutputCount;
        if (data.Length < nin)
            throw new ArgumentException($"A batch for model '{Name}' needs at least {nin} tensor(s) (inputs), got {data.Length}.", nameof(data));
        var x = data[..nin];
        if (data.Length == nin) return (x, null, null);
        if (data.Length < nin + nout)
            throw new ArgumentException($"A batch for model '{Name}' needs {nin} input(s) and {nout} target(s), got {data.Length} tensors.", nameof(data));
        var y = data[nin..(nin + nout)];
        Tensor? sw = data.Length > nin + nout ? data[nin + nout] : null;
        return (x, y, sw);
    }

    /// <summary>
    /// The total loss (Keras's <c>compute_loss</c>): the weighted sum of the per-output losses, plus
    /// weight-regularization penalties and losses added by layers during the forward pass. Updates the
    /// "loss" tracker (weighted by batch size).
    /// </summary>
    public virtual Tensor ComputeLoss(Tensor[] x, Tensor[]? y, Tensor[] yPred, Tensor? sampleWeight, bool training)
    {
        var state = Trainer.State;
        Tensor? total = null;
        state.EnsureMetrics(y ?? yPred, yPred);
        long batch = x[0].shape[0];
        for (int o = 0; o < yPred.Length; o++)
        {
            var lossFn = state.Losses[o];
            if (lossFn is null) continue;
            if (y is null) throw new ArgumentException($"Model '{Name}' has a loss but the data has no targets (y).");
            var l = lossFn.Compute(y[o], yPred[o], sampleWeight);
            if (state.OutputLossTrackers != null) state.OutputLossTrackers[o].Update(l, batch);
            var wl = state.LossWeights[o] == 1.0 ? l : l * state.LossWeights[o];
            total = total is null ? wl : total + wl;
        }
        var reg = RegularizationLoss();
        if (reg is not null) total = total is null ? reg : total + reg;
        foreach (var al in DrainActivityLosses()) total = total is null ? al : total + al;
        if (total is null)
        {
            if (training) throw new InvalidOperationException($"Model '{Name}' was compiled without a loss and has no added losses: nothing to train.");
            total = torch.zeros(Array.Empty<long>(), device: yPred[0].device);
        }
        state.LossTracker.Update(total, batch);
        return total;
    }

    /// <summary>Updates the compiled metrics and returns the current logs (Keras's <c>compute_metrics</c>).</summary>
    public virtual IReadOnlyDictionary<string, Tensor> ComputeMetrics(Tensor[] x, Tensor[]? y, Tensor[] yPred, Tensor? sampleWeight)
    {
        var state = Trainer.State;
        if (y != null && state.Metrics != null)
            for (int o = 0; o < yPred.Length; o++)
                foreach (var m in state.Metrics[o]) m.UpdateState(y[o], yPred[o]);
        return GetMetricsResult();
    }

    /// <summary>The current value of every tracked metric, as tensors.</summary>
    public IReadOnlyDictionary<string, Tensor> GetMetricsResult() => new MetricResultsView(Trainer.State.AllMetrics().ToList());

    /// <summary>Resets every tracked metric (done at the start of each epoch and evaluation).</summary>
    public virtual void ResetMetrics() => _trainer?.State.ResetMetrics();

    // ------------------------------------------------------------------------------- fit

    /// <summary>
    /// Trains the model on tensors (Keras's <c>fit</c>). <paramref name="x"/> and <paramref name="y"/> have the
    /// samples on their first axis. Returns the <see cref="History"/>.
    /// </summary>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets (int64/uint8 labels for sparse losses, floats otherwise).</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="epochs">Index of the last epoch (trains epochs initialEpoch … epochs-1).</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is not a terminal), 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks called during training.</param>
    /// <param name="validationSplit">Fraction in (0, 1) of the data, taken from the end before shuffling, used for validation.</param>
    /// <param name="validationData">Validation inputs and targets.</param>
    /// <param name="shuffle">Shuffle the training samples before each epoch.</param>
    /// <param name="classWeight">Weight of each class in the loss (class index → weight).</param>
    /// <param name="sampleWeight">Weight of each sample in the loss.</param>
    /// <param name="initialEpoch">Epoch to start at (to resume training).</param>
    /// <param name="stepsPerEpoch">Batches per epoch (default: one pass over the data).</param>
    /// <param name="validationSteps">Batches per validation (default: all).</param>
    /// <param name="validationBatchSize">Batch size for validation (default: batchSize).</param>
    /// <param name="validationFreq">Validate every this many epochs.</param>
    /// <param name="cancellationToken">Stops training after the current batch and throws <see cref="OperationCanceledException"/>.</param>
    public History Fit(Tensor x, Tensor? y = null, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0.0, (Tensor x, Tensor y)? validationData = null,
        bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int? validationBatchSize = null,
        int validationFreq = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainer.Fit(new FitArgs
        {
            X = [x], Y = y is null ? null : [y], BatchSize = batchSize, Epochs = epochs, Verbose = verbose, Callbacks = callbacks,
            ValidationSplit = validationSplit,
            ValidationX = validationData is { } v ? [v.x] : null, ValidationY = validationData is { } v2 ? [v2.y] : null,
            Shuffle = shuffle, ClassWeight = classWeight, SampleWeight = sampleWeight, InitialEpoch = initialEpoch,
            StepsPerEpoch = stepsPerEpoch, ValidationSteps = validationSteps, ValidationBatchSize = validationBatchSize,
            ValidationFreq = validationFreq, CancellationToken = cancellationToken,
        });
    }

    /// <summary>Trains a model with several inputs and/or outputs on tensors. See <see cref="Fit(Tensor, Tensor?, int?, int, int, IEnumerable{Callback}?, double, ValueTuple{Tensor, Tensor}?, bool, IReadOnlyDictionary{int, double}?, Tensor?, int, int?, int?, int?, int, CancellationToken)"/>.</summary>
    public History Fit(Tensor[] x, Tensor[] y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0.0, (Tensor[] x, Tensor[] y)? validationData = null,
        bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int? validationBatchSize = null,
        int validationFreq = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Trainer.Fit(new FitArgs
        {
            X = x, Y = y, BatchSize = batchSize, Epochs = epochs, Verbose = verbose, Callbacks = callbacks,
            ValidationSplit = validationSplit, ValidationX = validationData?.x, ValidationY = validationData?.y,
            Shuffle = shuffle, ClassWeight = classWeight, SampleWeight = sampleWeight, InitialEpoch = initialEpoch,
            StepsPerEpoch = stepsPerEpoch, ValidationSteps = validationSteps, ValidationBatchSize = validationBatchSize,
            ValidationFreq = validationFreq, CancellationToken = cancellationToken,
        });
    }

    /// <summary>Trains a model with several inputs and one output.</summary>
    public History Fit(Tensor[] x, Tensor y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0.0, (Tensor[] x, Tensor y)? validationData = null,
        bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int? validationBatchSize = null,
        int validationFreq = 1, CancellationToken cancellationToken = default)
        => Fit(x, [y ?? throw new ArgumentNullException(nameof(y))], batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? (v.x, [v.y]) : null, shuffle, classWeight, sampleWeight, initialEpoch, stepsPerEpoch,
            validationSteps, validationBatchSize, validationFreq, cancellationToken);

    /// <summary>
    /// Trains on a source of batches (a <c>Dataset</c> or any <c>IEnumerable&lt;Tensor[]&gt;</c>) yielding
    /// <c>[x…, y…, sampleWeight?]</c>. Batching and shuffling belong to the source.
    /// </summary>
    public History Fit(IEnumerable<Tensor[]> data, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        IEnumerable<Tensor[]>? validationData = null, IReadOnlyDictionary<int, double>? classWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int validationFreq = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trainer.Fit(new FitArgs
        {
            Data = data, Epochs = epochs, Verbose = verbose, Callbacks = callbacks, ValidationDataSource = validationData,
            ClassWeight = classWeight, InitialEpoch = initialEpoch, StepsPerEpoch = stepsPerEpoch,
            ValidationSteps = validationSteps, ValidationFreq = validationFreq, CancellationToken = cancellationToken,
        });
    }

    // ------------------------------------------------------------------------------- evaluate / predict

    /// <summary>Computes the loss and metrics on tensors (Keras's <c>evaluate</c>); returns name → value.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor? y = null, int? batchSize = null, int verbose = 1,
        Tensor? sampleWeight = null, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainer.Evaluate([x], y is null ? null : [y], null, batchSize, verbose, sampleWeight, steps, callbacks, null);
    }

    /// <summary>Evaluates a model with several inputs and/or outputs.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor[] x, Tensor[] y, int? batchSize = null, int verbose = 1,
        Tensor? sampleWeight = null, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainer.Evaluate(x, y, null, batchSize, verbose, sampleWeight, steps, callbacks, null);
    }

    /// <summary>Evaluates on a source of batches.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(IEnumerable<Tensor[]> data, int verbose = 1, int? steps = null,
        IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trainer.Evaluate(null, null, data, null, verbose, null, steps, callbacks, null);
    }

    /// <summary>Runs the model on inputs in batches in inference mode (Keras's <c>predict</c>); returns the output on the CPU.</summary>
    public Tensor Predict(Tensor x, int? batchSize = null, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainers.Trainer.Predict(this, [x], null, batchSize, verbose, steps, callbacks)[0];
    }

    /// <summary>Predicts for a model with several inputs; returns every output.</summary>
    public Tensor[] Predict(Tensor[] x, int? batchSize = null, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainers.Trainer.Predict(this, x, null, batchSize, verbose, steps, callbacks);
    }

    /// <summary>Predicts on a source of batches (only the inputs of each batch are used); returns every output.</summary>
    public Tensor[] Predict(IEnumerable<Tensor[]> data, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Trainers.Trainer.Predict(this, null, data, null, verbose, steps, callbacks);
    }

    /// <summary>One training step on one batch; returns the loss and metrics (running over the calls since the last reset).</summary>
    public IReadOnlyDictionary<string, double> TrainOnBatch(Tensor x, Tensor? y = null, Tensor? sampleWeight = null,
        IReadOnlyDictionary<int, double>? classWeight = null, bool resetMetrics = true)
        => Trainer.TrainOnBatch([x ?? throw new ArgumentNullException(nameof(x))], y is null ? null : [y], sampleWeight, classWeight, resetMetrics);

    /// <summary>One training step on one batch of a model with several inputs/outputs.</summary>
    public IReadOnlyDictionary<string, double> TrainOnBatch(Tensor[] x, Tensor[]? y = null, Tensor? sampleWeight = null,
        IReadOnlyDictionary<int, double>? classWeight = null, bool resetMetrics = true)
        => Trainer.TrainOnBatch(x ?? throw new ArgumentNullException(nameof(x)), y, sampleWeight, classWeight, resetMetrics);

    /// <summary>Evaluates one batch; returns the loss and metrics.</summary>
    public IReadOnlyDictionary<string, double> TestOnBatch(Tensor x, Tensor? y = null, Tensor? sampleWeight = null, bool resetMetrics = true)
        => Trainer.TestOnBatch([x ?? throw new ArgumentNullException(nameof(x))], y is null ? null : [y], sampleWeight, resetMetrics);

    /// <summary>Evaluates one batch of a model with several inputs/outputs.</summary>
    public IReadOnlyDictionary<string, double> TestOnBatch(Tensor[] x, Tensor[]? y = null, Tensor? sampleWeight = null, bool resetMetrics = true)
        => Trainer.TestOnBatch(x ?? throw new ArgumentNullException(nameof(x)), y, sampleWeight, resetMetrics);

    /// <summary>Runs the model on one batch in inference mode.</summary>
    public Tensor PredictOnBatch(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainers.Trainer.PredictOnBatch(this, [x])[0];
    }

    /// <summary>Runs a model with several inputs on one batch; returns every output.</summary>
    public Tensor[] PredictOnBatch(Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Trainers.Trainer.PredictOnBatch(this, x);
    }
}
