using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Data-parallel training across processes (Keras's <c>keras.distribution.DataParallel</c>): every process (rank)
/// holds the whole model; each global batch is split evenly over the ranks; the gradients are averaged over the
/// ranks before every optimizer step, so all ranks keep identical weights; metrics are summed over the ranks at
/// the end of each epoch and evaluation, so every rank logs the same History. Only rank 0 prints progress and runs
/// the callbacks that write files. Start the program with the MPI launcher, e.g.
/// <c>mpiexec -np 4 dotnet run --project my-app</c>, and make it the active distribution with
/// <c>Keras.Distribution.SetDistribution(new DataParallel())</c> or <c>using var d = DataParallel.Start();</c>
/// before building the model.
/// </summary>
public sealed class DataParallel : DistributionStrategy
{
    private readonly ICommunicator _comm;
    private readonly bool _ownsComm;
    private readonly GradientAverager _gradients;
    private Model? _syncedModel;
    private bool _syncPending = true;
    private double _localSamples = double.NaN;
    private bool _disposed;

    /// <summary>Creates the distribution and joins the other ranks (MPI, or NCCL on CUDA machines).</summary>
    /// <param name="communicator">The transport; by default NCCL when CUDA and libnccl are available, MPI otherwise.</param>
    /// <param name="autoShardDataset">Split each global batch over the ranks (Keras's default). With false each rank trains on the batches its data yields as they are (shard the data yourself, e.g. with <c>Dataset.Shard</c>).</param>
    /// <param name="timeoutSeconds">How long one collective may wait for the other ranks before this process ends with an error (a dead or hung rank).</param>
    /// <param name="bucketSizeMb">Size of the gradient buckets sent by one all-reduce, in MiB.</param>
    public DataParallel(ICommunicator? communicator = null, bool autoShardDataset = true, double timeoutSeconds = 300, int bucketSizeMb = 25)
    {
        if (!(timeoutSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(timeoutSeconds), timeoutSeconds, "timeoutSeconds must be positive.");
        if (bucketSizeMb <= 0) throw new ArgumentOutOfRangeException(nameof(bucketSizeMb), bucketSizeMb, "bucketSizeMb must be positive.");
        _ownsComm = communicator is null;
        _comm = communicator ?? CreateDefaultCommunicator(timeoutSeconds);
        if (_comm is NcclCommunicator nccl) Keras.Config.Device = nccl.Device;
        AutoShardDataset = autoShardDataset;
        _gradients = new GradientAverager(_comm, (long)bucketSizeMb << 20);
    }

    /// <summary>Creates a <see cref="DataParallel"/> and makes it the active distribution; dispose it at the end of the program.</summary>
    /// <param name="communicator">The transport (see the constructor).</param>
    /// <param name="autoShardDataset">Split each global batch over the ranks.</param>
    /// <param name="timeoutSeconds">How long one collective may wait for the other ranks.</param>
    /// <param name="bucketSizeMb">Size of the gradient buckets, in MiB.</param>
    public static DataParallel Start(ICommunicator? communicator = null, bool autoShardDataset = true, double timeoutSeconds = 300, int bucketSizeMb = 25)
    {
        var d = new DataParallel(communicator, autoShardDataset, timeoutSeconds, bucketSizeMb);
        Keras.Distribution.SetDistribution(d);
        return d;
    }

    private static ICommunicator CreateDefaultCommunicator(double timeoutSeconds)
    {
        var mpi = new MpiCommunicator(timeoutSeconds);
        if (mpi.Size > 1 && torch.cuda.is_available() && NcclNative.IsAvailable())
            return new NcclCommunicator(mpi, timeoutSeconds);
        return mpi;
    }

    /// <summary>The transport between the ranks.</summary>
    public ICommunicator Communicator => _comm;

    /// <summary>Whether each global batch is split over the ranks.</summary>
    public bool AutoShardDataset { get; }

    /// <inheritdoc />
    public override int Rank => _comm.Rank;

    /// <inheritdoc />
    public override int WorldSize => _comm.Size;

    /// <inheritdoc />
    public override void PrepareFit(Model model, Trainers.EpochIteratorState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        ThrowIfDisposed();
        using (var start = torch.tensor(new long[] { state.Epoch, state.Step, state.ShuffleSeed }))
        {
            _comm.Broadcast(start, 0);
            var v = start.data<long>().ToArray();
            state.ResumeAt((int)v[0], (int)v[1], v[2]);
        }
        ModelSynchronizer.BroadcastShuffleGenerator(_comm);
        _syncPending = true;
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Tensor> TrainStep(Model model, Tensor[] globalBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        EnsureSynchronized(model, globalBatch);
        var local = AutoShardDataset ? BatchSharding.Local(globalBatch, Rank, WorldSize) : globalBatch;
        _localSamples = local[0].shape[0];
        try
        {
            if (_localSamples > 0) return model.TrainStep(local);
            // A final batch smaller than the number of ranks leaves this rank without samples: it still takes
            // part in the gradient average (with weight 0) and the optimizer step, so the weights stay identical.
            var opt = model.Optimizer ?? throw new InvalidOperationException($"Model '{model.Name}' has no optimizer: call Compile first.");
            if (!opt.Built) opt.Build(model.TrainableWeights);
            opt.ZeroGrad();
            if (HasSynchronizedLayers(model))
            {
                // Layers that communicate in training (synchronized batch statistics) need every rank's forward
                // and backward pass: run them on the empty slice, with a loss that is zero but reaches every layer.
                var outputs = model.Forward(local.Take(model.InputCount).ToArray(), training: true);
                var zero = outputs.Select(o => o.sum()).Aggregate((a, b) => a + b).mul(0);
                if (zero.requires_grad) zero.backward();
            }
            opt.Step();
            return model.GetMetricsResult();
        }
        finally
        {
            _localSamples = double.NaN;
        }
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Tensor> TestStep(Model model, Tensor[] globalBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        EnsureSynchronized(model, globalBatch);
        var local = AutoShardDataset ? BatchSharding.Local(globalBatch, Rank, WorldSize) : globalBatch;
        return local[0].shape[0] > 0 ? model.TestStep(local) : model.GetMetricsResult();
    }

    /// <inheritdoc />
    public override Tensor[]? PredictStep(Model model, Tensor[] globalBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        if (!AutoShardDataset || WorldSize == 1) return model.PredictStep(globalBatch);
        EnsureSynchronized(model, globalBatch);
        var local = BatchSharding.Local(globalBatch, Rank, WorldSize);
        return local[0].shape[0] > 0 ? model.PredictStep(local) : null;
    }

    /// <inheritdoc />
    public override Tensor[] GatherPredictions(IReadOnlyList<long> globalBatchRows, IReadOnlyList<Tensor[]> localOutputs)
    {
        ArgumentNullException.ThrowIfNull(globalBatchRows);
        ArgumentNullException.ThrowIfNull(localOutputs);
        ThrowIfDisposed();
        if (globalBatchRows.Count == 0) throw new ArgumentException("There are no batches to gather.", nameof(globalBatchRows));
        if (!AutoShardDataset || WorldSize == 1)
        {
            if (localOutputs.Count == 0) throw new ArgumentException("There are no outputs to join.", nameof(localOutputs));
            return Enumerable.Range(0, localOutputs[0].Length)
                .Select(i => torch.cat(localOutputs.Select(o => o[i].cpu()).ToArray(), 0).DetachFromDisposeScope()).ToArray();
        }
        return PredictionGatherer.Gather(_comm, globalBatchRows, localOutputs);
    }

    /// <inheritdoc />
    public override Tensor SumOverRanks(Tensor local)
    {
        ArgumentNullException.ThrowIfNull(local);
        ThrowIfDisposed();
        if (WorldSize == 1) return local;
        // Outside TrainStep (a custom loop), every rank counts as one equal share, as in AllReduceGradients.
        double weight = double.IsNaN(_localSamples) ? 1 : _localSamples;
        return RankSumFunction.apply(local, _comm, weight);
    }

    /// <summary>Whether any layer of the model (at any depth) communicates in training.</summary>
    private static bool HasSynchronizedLayers(Layer root)
    {
        var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Layer>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var layer = stack.Pop();
            if (!seen.Add(layer)) continue;
            if (layer is ISynchronizedLayer { Synchronized: true }) return true;
            foreach (var l in layer.SubLayers) stack.Push(l);
            if (layer is Model m) foreach (var l in m.Layers) stack.Push(l);
        }
        return false;
    }

    /// <inheritdoc />
    public override void AllReduceGradients(Optimizers.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ThrowIfDisposed();
        if (WorldSize == 1) return;
        // Outside TrainStep (a custom loop calling the optimizer), every rank counts as one equal share.
        double samples = double.IsNaN(_localSamples) ? 1 : _localSamples;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        _gradients.Average(optimizer.Variables.Select(v => v.Value).ToList(), samples);
        GradientSyncTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// Total time this rank spent averaging gradients (packing, all-reduce including waiting for slower ranks,
    /// unpacking) since it was created: compare it with the training time to see what communication costs.
    /// </summary>
    public TimeSpan GradientSyncTime { get; private set; }

    /// <inheritdoc />
    public override void AllReduceMetrics(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        MetricReducer.AllReduce(_comm, model);
    }

    /// <inheritdoc />
    public override bool AnyRank(bool flag)
    {
        ThrowIfDisposed();
        if (WorldSize == 1) return flag;
        using var t = torch.tensor(new double[] { flag ? 1 : 0 });
        _comm.AllReduceSum(t);
        return t.data<double>()[0] > 0;
    }

    /// <summary>Before a model's first step: builds it if needed and copies the chief's weights and optimizer state everywhere.</summary>
    private void EnsureSynchronized(Model model, Tensor[] globalBatch)
    {
        if (!_syncPending && ReferenceEquals(_syncedModel, model)) return;
        if (!model.Built)
        {
            using var scope = NewDisposeScope();
            using var ng = no_grad();
            var x = globalBatch.Take(model.InputCount).Select(t => t.narrow(0, 0, Math.Min(1, t.shape[0]))).ToArray();
            model.Forward(x, training: false);
        }
        ModelSynchronizer.BroadcastWeights(_comm, model);
        ModelSynchronizer.BroadcastOptimizer(_comm, model);
        _syncedModel = model;
        _syncPending = false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Stops being the active distribution and releases the communicator it created (MPI is finalized).</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (ReferenceEquals(Keras.Distribution.Current, this)) Keras.Distribution.SetDistribution(null);
        if (_ownsComm) _comm.Dispose();
        base.Dispose();
    }
}
