using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// Turns user data into batches of tensors <c>[x…, y…, sampleWeight?]</c> (Keras's <c>DataAdapter</c>). Only the
/// <see cref="EpochIterator"/> creates and reads adapters.
/// </summary>
internal abstract class DataAdapter
{
    /// <summary>Batches in one pass, or null when unknown.</summary>
    public abstract long? NumBatches { get; }

    /// <summary>Whether each pass is in a shuffled order drawn from the run's seed.</summary>
    public virtual bool Shuffles => false;

    /// <summary>Whether the batches are new tensors the trainer frees after their step (slices, pipeline outputs), rather than the user's.</summary>
    public abstract bool OwnsBatches { get; }

    /// <summary>
    /// Yields one pass over the data, starting at batch <paramref name="startBatch"/>. The batches are pulled
    /// outside any step's dispose scope, so tensors a user's generator creates stay the user's.
    /// </summary>
    /// <param name="pass">The pass's number (picks the shuffle order of in-memory data).</param>
    /// <param name="shuffleSeed">The run's shuffle seed.</param>
    /// <param name="startBatch">Batches to skip (already trained before an interruption).</param>
    public abstract IEnumerable<Tensor[]> Pass(int pass, long shuffleSeed, int startBatch);
}
