namespace Sharpkeras.Trainers;

/// <summary>
/// Where a <c>Fit</c> run's data stands: the epoch, the batches of it already trained, and the seed of the
/// shuffle order. The <see cref="EpochIterator"/> owns it; <c>BackupAndRestore</c> saves it and, before the
/// first epoch, asks to resume from a saved one (<see cref="ResumeAt"/>).
/// </summary>
public sealed class EpochIteratorState
{
    internal EpochIteratorState(int initialEpoch, long shuffleSeed)
    {
        Epoch = initialEpoch;
        ShuffleSeed = shuffleSeed;
    }

    /// <summary>The epoch being trained (or about to be).</summary>
    public int Epoch { get; internal set; }

    /// <summary>The batches of <see cref="Epoch"/> already trained.</summary>
    public int Step { get; internal set; }

    /// <summary>The seed from which every epoch's shuffle order of in-memory data is drawn.</summary>
    public long ShuffleSeed { get; internal set; }

    /// <summary>Set by <see cref="ResumeAt"/> until the trainer starts its first epoch.</summary>
    internal bool ResumeRequested { get; private set; }

    /// <summary>
    /// Resumes an interrupted run: training starts at <paramref name="epoch"/>, skipping its first
    /// <paramref name="step"/> batches, with the shuffle order of <paramref name="shuffleSeed"/>. Only valid before
    /// the first epoch starts (in <c>OnTrainBegin</c>).
    /// </summary>
    /// <param name="epoch">The epoch to start at.</param>
    /// <param name="step">Batches of that epoch already trained.</param>
    /// <param name="shuffleSeed">The interrupted run's shuffle seed.</param>
    public void ResumeAt(int epoch, int step, long shuffleSeed)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be >= 0.");
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0.");
        Epoch = epoch;
        Step = step;
        ShuffleSeed = shuffleSeed;
        ResumeRequested = true;
    }
}
