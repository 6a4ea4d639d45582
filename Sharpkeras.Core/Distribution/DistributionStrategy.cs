using Sharpkeras.Callbacks;
using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// How training is spread over processes (Keras's <c>keras.distribution.Distribution</c>); set one with
/// <c>Keras.Distribution.SetDistribution</c>. The trainer calls the members below at fixed points of
/// <c>Fit</c>/<c>Evaluate</c>; a custom training loop can call them too.
/// </summary>
public abstract class DistributionStrategy : IDisposable
{
    /// <summary>This process's index among the processes (0 is the chief).</summary>
    public abstract int Rank { get; }

    /// <summary>Number of processes taking part.</summary>
    public abstract int WorldSize { get; }

    /// <summary>Whether this is rank 0, the process that prints progress and writes files.</summary>
    public bool IsChief => Rank == 0;

    /// <summary>
    /// Called by <c>Fit</c> after the callbacks' <c>OnTrainBegin</c> (which may resume from a backup on the chief):
    /// makes every rank's data iterator state (epoch, steps done, shuffle seed) the chief's, so every rank sees the
    /// same global batches, and arranges for the chief's weights and optimizer state to be copied to every rank
    /// before the first step.
    /// </summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="state">This rank's data iterator state; replaced by the chief's.</param>
    public abstract void PrepareFit(Model model, Trainers.EpochIteratorState state);

    /// <summary>One training step on this rank's part of a global batch (calls <see cref="Model.TrainStep"/>).</summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="globalBatch">The global batch <c>[x…, y…, sampleWeight?]</c> as the data produced it.</param>
    public abstract IReadOnlyDictionary<string, Tensor> TrainStep(Model model, Tensor[] globalBatch);

    /// <summary>One evaluation step on this rank's part of a global batch (calls <see cref="Model.TestStep"/>).</summary>
    /// <param name="model">The model being evaluated.</param>
    /// <param name="globalBatch">The global batch as the data produced it.</param>
    public abstract IReadOnlyDictionary<string, Tensor> TestStep(Model model, Tensor[] globalBatch);

    /// <summary>
    /// One prediction step on this rank's part of a global batch (calls <see cref="Model.PredictStep"/>); null when
    /// this rank's part is empty. <c>Predict</c> hands the results of all steps to <see cref="GatherPredictions"/>.
    /// </summary>
    /// <param name="model">The model predicting.</param>
    /// <param name="globalBatch">The global batch as the data produced it.</param>
    public abstract Tensor[]? PredictStep(Model model, Tensor[] globalBatch);

    /// <summary>
    /// Joins the outputs of this rank's <see cref="PredictStep"/> calls with the other ranks', so every rank gets the
    /// predictions of all the global batches in their original order (on the CPU).
    /// </summary>
    /// <param name="globalBatchRows">The number of samples of each global batch, in order.</param>
    /// <param name="localOutputs">The non-null results of this rank's <see cref="PredictStep"/> calls, in order.</param>
    public abstract Tensor[] GatherPredictions(IReadOnlyList<long> globalBatchRows, IReadOnlyList<Tensor[]> localOutputs);

    /// <summary>
    /// The sum over the ranks of a tensor computed in a training step (e.g. batch statistics), differentiable: the
    /// gradient flowing back through it makes the averaged parameter gradients those of the global batch's loss.
    /// Every rank must call it at the same point of the step with a tensor of the same shape (float types).
    /// </summary>
    /// <param name="local">This rank's values.</param>
    public abstract Tensor SumOverRanks(Tensor local);

    /// <summary>
    /// Replaces the gradients of the optimizer's weights by their sample-weighted average over all ranks; called by
    /// <see cref="Optimizers.Optimizer.Step"/> before it applies them.
    /// </summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public abstract void AllReduceGradients(Optimizers.Optimizer optimizer);

    /// <summary>Sums every metric's state over all ranks, so each rank's results are those of the whole data.</summary>
    /// <param name="model">The model whose compiled metrics are combined.</param>
    public abstract void AllReduceMetrics(Model model);

    /// <summary>Whether <paramref name="flag"/> is true on any rank (e.g. a callback stopped training).</summary>
    /// <param name="flag">This rank's value.</param>
    public abstract bool AnyRank(bool flag);

    /// <summary>
    /// The callbacks that run on this rank: all on the chief; elsewhere all but those that write files or print
    /// (<see cref="ModelCheckpoint"/>, <see cref="CSVLogger"/>, <see cref="TensorBoard"/>, <see cref="BackupAndRestore"/>,
    /// <see cref="ProgbarLogger"/>).
    /// </summary>
    /// <param name="callbacks">The callbacks given to <c>Fit</c> or <c>Evaluate</c>.</param>
    public virtual List<Callback> FilterCallbacks(IEnumerable<Callback> callbacks)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        return IsChief ? callbacks.ToList() : callbacks.Where(c => !IsChiefOnly(c)).ToList();
    }

    /// <summary>Whether a callback writes files or prints, and so runs on the chief only.</summary>
    /// <param name="callback">The callback.</param>
    public static bool IsChiefOnly(Callback callback) =>
        callback is ModelCheckpoint or CSVLogger or TensorBoard or BackupAndRestore or ProgbarLogger;

    /// <summary>Releases the communicator.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
