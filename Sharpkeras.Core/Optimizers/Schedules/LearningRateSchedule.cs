namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// A learning rate that depends on the optimizer step (Keras's <c>LearningRateSchedule</c>). Pass it as
/// <c>learningRate:</c> to any optimizer; it is evaluated at every optimizer step with the number of
/// steps already applied (0 for the first step).
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    /// <param name="step">The number of optimizer steps taken so far (Keras's <c>iterations</c>), 0 for the first step.</param>
    /// <returns>The learning rate for that step.</returns>
    public abstract double Evaluate(long step);

    /// <summary>The arguments that rebuild this schedule.</summary>
    public abstract Dictionary<string, object?> GetConfig();
}
