namespace Sharpkeras.Callbacks;

/// <summary>
/// Sets the learning rate at the start of every epoch from a function of the epoch (0-based) and the current rate
/// (Keras's <c>keras.callbacks.LearningRateScheduler</c>), e.g.
/// <c>new LearningRateScheduler((epoch, lr) =&gt; epoch &lt; 10 ? lr : lr * Math.Exp(-0.1))</c>.
/// Writes the rate to the epoch logs as "learning_rate".
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="schedule">(epoch, current learning rate) → new learning rate.</param>
    /// <param name="verbose">0 silent, 1 prints each update.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Verbose = verbose;
    }

    /// <summary>The schedule function.</summary>
    public Func<int, double, double> Schedule { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    private Optimizers.Optimizer Optimizer()
    {
        var model = Model ?? throw new InvalidOperationException("LearningRateScheduler is not attached to a model: pass it to Fit(callbacks: ...).");
        return model.Optimizer ?? throw new InvalidOperationException($"Model '{model.Name}' has no optimizer: compile it first.");
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = Optimizer();
        double lr = Schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(lr) || lr < 0)
            throw new ArgumentException($"The output of the `schedule` function should be a finite float >= 0. Got: {PythonFormat.Float(lr)} at epoch {epoch}.", "schedule");
        optimizer.LearningRate = lr;
        if (Verbose > 0) Console.WriteLine($"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {PythonFormat.Float(lr)}.");
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (logs != null) logs["learning_rate"] = Optimizer().LearningRate;
    }
}
