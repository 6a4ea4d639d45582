using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>
/// What the trainer needs to know about a source of batches beyond <see cref="IEnumerable{T}"/>:
/// how many batches one pass yields (null if unknown) and whether the consumer owns (and disposes)
/// the tensors it receives. <c>Dataset</c> implements it.
/// </summary>
public interface IBatchSource : IEnumerable<Tensor[]>
{
    /// <summary>Batches per pass, or null when unknown or infinite.</summary>
    long? Cardinality { get; }

    /// <summary>Whether each yielded batch belongs to the consumer, which disposes it after use.</summary>
    bool TransfersOwnership { get; }
}
