using Sharpkeras.Callbacks;
using Sharpkeras.Losses;
using Sharpkeras.Metrics;
using Sharpkeras.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

public partial class Model
{
    /// <summary>Set to true (e.g. by a callback) to stop <c>Fit</c> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>The optimizer given to <see cref="Compile"/>, or null before it.</summary>
    public Optimizers.Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <see cref="Compile"/>, resolved per output; null before it.</summary>
    public CompileLoss? CompiledLoss { get; private set; }

    /// <summary>The metrics given to <see cref="Compile"/>; null before it.</summary>
    public CompileMetrics? CompiledMetrics { get; private set; }

    /// <summary>The running mean of the total loss ("loss"), weighted by batch size; updated by the train and test steps.</summary>
    public Mean LossTracker { get; } = new("loss");

    /// <summary>Whether <see cref="Compile"/> has been called.</summary>
    public bool Compiled => Optimizer != null;

    /// <summary>The arguments of the last <see cref="Compile"/> call, as given (for saving the compile configuration).</summary>
    internal (object? loss, object[] metrics, double[]? lossWeights)? CompileArguments { get; private set; }

    internal void RequireCompiled()
    {
        if (!Compiled)
            throw new InvalidOperationException(
                $"Model '{Name}' must be compiled before training or evaluating: call Compile(optimizer, loss, metrics) first.");
    }

    /// <summary>The metrics tracked by the train and test steps: the loss tracker, per-output loss trackers, then the compiled metrics.</summary>
    public IReadOnlyList<Metric> Metrics
    {
        get
        {
            if (!Compiled) return [];
            var list = new List<Metric> { LossTracker };
            list.AddRange(CompiledLoss!.Trackers);
            list.AddRange(CompiledMetrics!.Metrics);
            return list;
        }
    }

    /// <summary>
    /// Configures the model for training (Keras's <c>compile</c>).
    /// </summary>
    /// <param name="optimizer">An alias ("adam", "sgd", "rmsprop", …) or an <see cref="Optimizers.Optimizer"/>; default "rmsprop".</param>
    /// <param name="loss">An alias ("sparse_categorical_crossentropy", "mse", …), a <see cref="Loss"/>, or one per output (array, or dictionary by output layer name).</param>
    /// <param name="metrics">Aliases ("accuracy", "mae", …) or <see cref="Metric"/> objects, applied to every output.</param>
    /// <param name="lossWeights">Weights of the per-output losses in the total (default 1 each).</param>
    public void Compile(object? optimizer = null, object? loss = null, IEnumerable<object>? metrics = null, double[]? lossWeights = null)
    {
        // Everything is resolved before anything is replaced: a failed Compile leaves the model as it was.
        var opt = Optimizers.Optimizer.Get(optimizer ?? "rmsprop");
        var names = OutputNames;
        var compileLoss = new CompileLoss(loss, lossWeights, names);
        var specs = (metrics ?? []).ToArray();
        var compileMetrics = new CompileMetrics(specs, names);
        Optimizer = opt;
        CompiledLoss = compileLoss;
        CompiledMetrics = compileMetrics;
        CompileArguments = (loss, specs, lossWeights);
        LossTracker.ResetState();
    }

    // ------------------------------------------------------------------------------- steps (override points)

    /// <summary>
    /// One training step on a batch <c>[x…, y…, sampleWeight?]</c> (Keras's <c>train_step</c>): forward, loss,
    /// backward, optimizer step, metric updates. Override it for custom training (e.g. GANs). Returns the logs as
    /// tensors (nothing is read back from the device here).
    /// </summary>
    /// <param name="data">The batch, on the model's device.</param>
    public virtual IReadOnlyDictionary<string, Tensor> TrainStep(Tensor[] data)
    {
        var (x, y, sw) = UnpackData(data);
        var yPred = Forward(x, training: true);
        var loss = ComputeLoss(x, y, yPred, sw, training: true);
        LossTracker.Update(loss, x[0].shape[0]);
        var opt = Optimizer ?? throw new InvalidOperationException($"Model '{Name}' has no optimizer: call Compile first.");
        if (!opt.Built) opt.Build(TrainableWeights);
        opt.ZeroGrad();
        opt.ScaleLoss(loss).backward();
        opt.Step();
        return ComputeMetrics(x, y, yPred, sw);
    }

    /// <summary>One evaluation step (Keras's <c>test_step</c>): forward in inference mode, loss, metrics.</summary>
    /// <param name="data">The batch, on the model's device.</param>
    public virtual IReadOnlyDictionary<string, Tensor> TestStep(Tensor[] data)
    {
        using var _ = torch.no_grad();
        var (x, y, sw) = UnpackData(data);
        var yPred = Forward(x, training: false);
        var loss = ComputeLoss(x, y, yPred, sw, training: false);
        LossTracker.Update(loss, x[0].shape[0]);
        return ComputeMetrics(x, y, yPred, sw);
    }

    /// <summary>One prediction step (Keras's <c>predict_step</c>): the outputs in inference mode.</summary>
    /// <param name="data">The batch (only its inputs are used), on the model's device.</param>
    public virtual Tensor[] PredictStep(Tensor[] data)
    {
        using var _ = torch.no_grad();
        var x = data.Length > InputCount ? data[..InputCount] : data;
        return Forward(x, training: false);
    }

    /// <summary>Splits a batch into inputs, targets and sample weights, by the model's input and output counts.</summary>
    /// <param name="data">The batch <c>[x…, y…, sampleWeight?]</c>.</param>
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
    /// The total loss (Keras's <c>compute_loss</c>): the compiled loss of each output (masks attached to the
    /// predictions honoured), plus <see cref="Layer.Losses"/> — the losses layers added during this forward pass
    /// (activity regularization) and the weight-regularization penalties. It updates no metric.
    /// </summary>
    /// <param name="x">The inputs.</param>
    /// <param name="y">The targets, or null.</param>
    /// <param name="yPred">The predictions of this forward pass.</param>
    /// <param name="sampleWeight">Optional per-sample weights.</param>
    /// <param name="training">Whether this is a training step (a model with nothing to minimise cannot train).</param>
    public virtual Tensor ComputeLoss(Tensor[] x, Tensor[]? y, Tensor[] yPred, Tensor? sampleWeight, bool training)
    {
        var total = CompiledLoss?.Call(y, yPred, sampleWeight);
        foreach (var l in Losses) total = total is null ? l : total + l;
        if (total is null)
        {
            if (training) throw new InvalidOperationException($"Model '{Name}' was compiled without a loss and has no added losses: nothing to train.");
            total = torch.zeros(Array.Empty<long>(), device: yPred[0].device);
        }
        return total;
    }

    /// <summary>Updates the compiled metrics and returns the current logs (Keras's <c>compute_metrics</c>).</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="y">The targets, or null (then only the loss trackers report).</param>
    /// <param name="yPred">The predictions (with their masks attached).</param>
    /// <param name="sampleWeight">Optional per-sample weights, passed to the metrics as Keras does.</param>
    public virtual IReadOnlyDictionary<string, Tensor> ComputeMetrics(Tensor[] x, Tensor[]? y, Tensor[] yPred, Tensor? sampleWeight)
    {
        if (y != null) CompiledMetrics?.UpdateState(y, yPred, sampleWeight);
        return GetMetricsResult();
    }

    /// <summary>The current value of every tracked metric, as tensors (read lazily).</summary>
    public IReadOnlyDictionary<string, Tensor> GetMetricsResult() => new MetricResultsView(Metrics.ToList());

    /// <summary>Resets every tracked metric (done at the start of each epoch and evaluation).</summary>
    public virtual void ResetMetrics()
    {
        foreach (var m in Metrics) m.ResetState();
    }

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
        return new Trainer(this).Fit(new FitArgs
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
    /// <param name="x">One tensor per model input, samples on the first axis.</param>
    /// <param name="y">One target tensor per model output, in the order of the model's outputs.</param>
    /// <param name="batchSize">Samples per step (default 32).</param>
    /// <param name="epochs">Index of the last epoch (trains epochs initialEpoch … epochs-1).</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is not a terminal), 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks called during training.</param>
    /// <param name="validationSplit">Fraction in (0, 1) of the data, taken from the end before shuffling, used for validation.</param>
    /// <param name="validationData">Validation inputs and targets, one tensor per input and per output.</param>
    /// <param name="shuffle">Shuffle the training samples before each epoch.</param>
    /// <param name="classWeight">Weight of each class in the loss (class index → weight).</param>
    /// <param name="sampleWeight">Weight of each sample in the loss.</param>
    /// <param name="initialEpoch">Epoch to start at (to resume training).</param>
    /// <param name="stepsPerEpoch">Batches per epoch (default: one pass over the data).</param>
    /// <param name="validationSteps">Batches per validation (default: all).</param>
    /// <param name="validationBatchSize">Batch size for validation (default: batchSize).</param>
    /// <param name="validationFreq">Validate every this many epochs.</param>
    /// <param name="cancellationToken">Stops training after the current batch and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The <see cref="History"/> of the epochs' logs.</returns>
    public History Fit(Tensor[] x, Tensor[] y, int? batchSize = null, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0.0, (Tensor[] x, Tensor[] y)? validationData = null,
        bool shuffle = true, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int? validationBatchSize = null,
        int validationFreq = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new Trainer(this).Fit(new FitArgs
        {
            X = x, Y = y, BatchSize = batchSize, Epochs = epochs, Verbose = verbose, Callbacks = callbacks,
            ValidationSplit = validationSplit, ValidationX = validationData?.x, ValidationY = validationData?.y,
            Shuffle = shuffle, ClassWeight = classWeight, SampleWeight = sampleWeight, InitialEpoch = initialEpoch,
            StepsPerEpoch = stepsPerEpoch, ValidationSteps = validationSteps, ValidationBatchSize = validationBatchSize,
            ValidationFreq = validationFreq, CancellationToken = cancellationToken,
        });
    }

    /// <summary>Trains a model with several inputs and one output.</summary>
    /// <param name="x">One tensor per model input, samples on the first axis.</param>
    /// <param name="y">The targets of the single output.</param>
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
    /// <returns>The <see cref="History"/> of the epochs' logs.</returns>
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
    /// <param name="data">The training batches (a <c>Dataset</c> or any <c>IEnumerable&lt;Tensor[]&gt;</c>), each <c>[x…, y…, sampleWeight?]</c>.</param>
    /// <param name="epochs">Index of the last epoch (trains epochs initialEpoch … epochs-1).</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is not a terminal), 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks called during training.</param>
    /// <param name="validationData">Validation batches, evaluated at the end of each validated epoch.</param>
    /// <param name="classWeight">Weight of each class in the loss (class index → weight).</param>
    /// <param name="initialEpoch">Epoch to start at (to resume training).</param>
    /// <param name="stepsPerEpoch">Batches per epoch (default: until the source ends; required for an endless source).</param>
    /// <param name="validationSteps">Batches per validation (default: until the source ends).</param>
    /// <param name="validationFreq">Validate every this many epochs.</param>
    /// <param name="cancellationToken">Stops training after the current batch and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The <see cref="History"/> of the epochs' logs.</returns>
    public History Fit(IEnumerable<Tensor[]> data, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        IEnumerable<Tensor[]>? validationData = null, IReadOnlyDictionary<int, double>? classWeight = null,
        int initialEpoch = 0, int? stepsPerEpoch = null, int? validationSteps = null, int validationFreq = 1,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Trainer(this).Fit(new FitArgs
        {
            Data = data, Epochs = epochs, Verbose = verbose, Callbacks = callbacks, ValidationDataSource = validationData,
            ClassWeight = classWeight, InitialEpoch = initialEpoch, StepsPerEpoch = stepsPerEpoch,
            ValidationSteps = validationSteps, ValidationFreq = validationFreq, CancellationToken = cancellationToken,
        });
    }

    // ------------------------------------------------------------------------------- evaluate / predict

    /// <summary>Computes the loss and metrics on tensors (Keras's <c>evaluate</c>); returns name → value.</summary>
    /// <param name="x">Inputs, samples on the first axis.</param>
    /// <param name="y">Targets (int64/uint8 labels for sparse losses, floats otherwise), or null for a model that has only added losses.</param>
    /// <param name="batchSize">Samples per batch (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="sampleWeight">Weight of each sample in the loss and the weighted metrics.</param>
    /// <param name="steps">Batches to evaluate (default: all).</param>
    /// <param name="callbacks">Callbacks called during evaluation.</param>
    /// <returns>The loss and each metric by name (e.g. <c>loss</c>, <c>accuracy</c>), averaged over the samples.</returns>
    /// <exception cref="System.InvalidOperationException">The model has not been compiled.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor? y = null, int? batchSize = null, int verbose = 1,
        Tensor? sampleWeight = null, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).Evaluate([x], y is null ? null : [y], null, batchSize, verbose, sampleWeight, steps, callbacks);
    }

    /// <summary>Evaluates a model with several inputs and/or outputs.</summary>
    /// <param name="x">One tensor per model input, samples on the first axis.</param>
    /// <param name="y">One target tensor per model output.</param>
    /// <param name="batchSize">Samples per batch (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="sampleWeight">Weight of each sample in the loss and the weighted metrics.</param>
    /// <param name="steps">Batches to evaluate (default: all).</param>
    /// <param name="callbacks">Callbacks called during evaluation.</param>
    /// <returns>The total loss, each output's loss and each metric by name, averaged over the samples.</returns>
    /// <exception cref="System.InvalidOperationException">The model has not been compiled.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor[] x, Tensor[] y, int? batchSize = null, int verbose = 1,
        Tensor? sampleWeight = null, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).Evaluate(x, y, null, batchSize, verbose, sampleWeight, steps, callbacks);
    }

    /// <summary>Evaluates on a source of batches.</summary>
    /// <param name="data">The batches (a <c>Dataset</c> or any <c>IEnumerable&lt;Tensor[]&gt;</c>), each <c>[x…, y…, sampleWeight?]</c>.</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="steps">Batches to evaluate (default: until the source ends; required for an endless source).</param>
    /// <param name="callbacks">Callbacks called during evaluation (<c>OnTestBegin</c> … <c>OnTestEnd</c>).</param>
    /// <returns>The loss and each metric by name (e.g. <c>loss</c>, <c>accuracy</c>), averaged over the batches.</returns>
    public IReadOnlyDictionary<string, double> Evaluate(IEnumerable<Tensor[]> data, int verbose = 1, int? steps = null,
        IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Trainer(this).Evaluate(null, null, data, null, verbose, null, steps, callbacks);
    }

    /// <summary>Runs the model on inputs in batches in inference mode (Keras's <c>predict</c>); returns the output on the CPU.</summary>
    /// <param name="x">Inputs, samples on the first axis.</param>
    /// <param name="batchSize">Samples per batch (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="steps">Batches to predict (default: all).</param>
    /// <param name="callbacks">Callbacks called during prediction.</param>
    /// <returns>The model's output for every sample, on the CPU; the caller owns it.</returns>
    public Tensor Predict(Tensor x, int? batchSize = null, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).Predict([x], null, batchSize, verbose, steps, callbacks)[0];
    }

    /// <summary>Predicts for a model with several inputs; returns every output.</summary>
    /// <param name="x">One tensor per model input, samples on the first axis.</param>
    /// <param name="batchSize">Samples per batch (default 32).</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="steps">Batches to predict (default: all).</param>
    /// <param name="callbacks">Callbacks called during prediction.</param>
    /// <returns>One tensor per model output, on the CPU.</returns>
    public Tensor[] Predict(Tensor[] x, int? batchSize = null, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).Predict(x, null, batchSize, verbose, steps, callbacks);
    }

    /// <summary>Predicts on a source of batches (only the inputs of each batch are used); returns every output.</summary>
    /// <param name="data">The batches; only the model's inputs (the first elements of each batch) are used.</param>
    /// <param name="verbose">0 silent, 1 progress bar (default), 2 one line at the end.</param>
    /// <param name="steps">Batches to predict (default: until the source ends; required for an endless source).</param>
    /// <param name="callbacks">Callbacks called during prediction.</param>
    /// <returns>Every output, concatenated over the batches, on the CPU.</returns>
    public Tensor[] Predict(IEnumerable<Tensor[]> data, int verbose = 1, int? steps = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Trainer(this).Predict(null, data, null, verbose, steps, callbacks);
    }

    /// <summary>One training step on one batch; returns the loss and metrics (running over the calls since the last reset).</summary>
    /// <param name="x">One batch of inputs.</param>
    /// <param name="y">Its targets.</param>
    /// <param name="sampleWeight">Optional weight of each sample in the loss.</param>
    /// <param name="classWeight">Optional weight of each class in the loss (class index → weight).</param>
    /// <param name="resetMetrics">Reset the metrics first (default); false accumulates over successive calls.</param>
    /// <returns>The loss and metrics by name.</returns>
    public IReadOnlyDictionary<string, double> TrainOnBatch(Tensor x, Tensor? y = null, Tensor? sampleWeight = null,
        IReadOnlyDictionary<int, double>? classWeight = null, bool resetMetrics = true)
        => new Trainer(this).RunOnBatch(true, [x ?? throw new ArgumentNullException(nameof(x))], y is null ? null : [y], sampleWeight, classWeight, resetMetrics);

    /// <summary>One training step on one batch of a model with several inputs/outputs.</summary>
    /// <param name="x">One batch per model input.</param>
    /// <param name="y">One target batch per model output.</param>
    /// <param name="sampleWeight">Optional weight of each sample in the loss.</param>
    /// <param name="classWeight">Optional weight of each class in the loss (class index → weight).</param>
    /// <param name="resetMetrics">Reset the metrics first (default); false accumulates over successive calls.</param>
    /// <returns>The loss and metrics by name.</returns>
    public IReadOnlyDictionary<string, double> TrainOnBatch(Tensor[] x, Tensor[]? y = null, Tensor? sampleWeight = null,
        IReadOnlyDictionary<int, double>? classWeight = null, bool resetMetrics = true)
        => new Trainer(this).RunOnBatch(true, x ?? throw new ArgumentNullException(nameof(x)), y, sampleWeight, classWeight, resetMetrics);

    /// <summary>Evaluates one batch; returns the loss and metrics.</summary>
    /// <param name="x">One batch of inputs.</param>
    /// <param name="y">Its targets.</param>
    /// <param name="sampleWeight">Optional weight of each sample.</param>
    /// <param name="resetMetrics">Reset the metrics first (default); false accumulates over successive calls.</param>
    /// <returns>The loss and metrics by name.</returns>
    public IReadOnlyDictionary<string, double> TestOnBatch(Tensor x, Tensor? y = null, Tensor? sampleWeight = null, bool resetMetrics = true)
        => new Trainer(this).RunOnBatch(false, [x ?? throw new ArgumentNullException(nameof(x))], y is null ? null : [y], sampleWeight, null, resetMetrics);

    /// <summary>Evaluates one batch of a model with several inputs/outputs.</summary>
    /// <param name="x">One batch per model input.</param>
    /// <param name="y">One target batch per model output.</param>
    /// <param name="sampleWeight">Optional weight of each sample.</param>
    /// <param name="resetMetrics">Reset the metrics first (default); false accumulates over successive calls.</param>
    /// <returns>The loss and metrics by name.</returns>
    public IReadOnlyDictionary<string, double> TestOnBatch(Tensor[] x, Tensor[]? y = null, Tensor? sampleWeight = null, bool resetMetrics = true)
        => new Trainer(this).RunOnBatch(false, x ?? throw new ArgumentNullException(nameof(x)), y, sampleWeight, null, resetMetrics);

    /// <summary>Runs the model on one batch in inference mode.</summary>
    /// <param name="x">One batch of inputs.</param>
    /// <returns>The output for the batch, on the CPU.</returns>
    public Tensor PredictOnBatch(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).PredictOnBatch([x])[0];
    }

    /// <summary>Runs a model with several inputs on one batch; returns every output.</summary>
    /// <param name="x">One batch per model input.</param>
    /// <returns>One output per model output, on the CPU.</returns>
    public Tensor[] PredictOnBatch(Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Trainer(this).PredictOnBatch(x);
    }
}
