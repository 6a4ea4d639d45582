namespace Sharpkeras.Distribution;

/// <summary>
/// A layer whose training forward pass takes part in collective operations across the ranks (e.g.
/// <c>BatchNormalization(synchronized: true)</c>, which sums its batch statistics over the ranks). Every rank must
/// then run the forward and backward pass of every training step, so <see cref="DataParallel"/> runs such a model
/// even on a rank whose slice of a global batch is empty (with zero rows).
/// </summary>
public interface ISynchronizedLayer
{
    /// <summary>Whether this layer communicates with the other ranks in training.</summary>
    bool Synchronized { get; }
}
