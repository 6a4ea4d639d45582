using static TorchSharp.torch;

namespace Sharpkeras.Data.Pipeline;

/// <summary>
/// Random access to the samples behind an unbatched dataset, so that shuffling, skipping, taking and
/// repeating work on indices and batching gathers a whole batch at once.
/// </summary>
internal abstract class IndexedSource
{
    /// <summary>Number of samples.</summary>
    public abstract long Count { get; }

    /// <summary>Whether gathering is cheap (in-memory tensors), so caching the order is enough.</summary>
    public abstract bool InMemory { get; }

    /// <summary>Sample <paramref name="index"/> (no batch axis), as fresh tensors.</summary>
    public abstract Tensor[] GatherOne(long index);

    /// <summary>The samples <c>indices[0..count)</c> stacked on a new leading axis, as fresh tensors.</summary>
    public abstract Tensor[] Gather(long[] indices, int count);
}
