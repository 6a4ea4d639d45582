namespace Sharpkeras.Distribution;

/// <summary>
/// A collective operation of distributed training failed: a rank died or stopped answering, the ranks disagree
/// (different models or metrics), or the MPI/NCCL library reported an error.
/// </summary>
public sealed class DistributedTrainingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, on which rank, and what to check.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DistributedTrainingException(string message, Exception? inner = null) : base(message, inner) { }
}
