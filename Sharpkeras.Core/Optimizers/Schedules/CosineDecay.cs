namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// Cosine decay with optional linear warmup (Keras's <c>CosineDecay</c>). Without warmup:
/// <c>lr(step) = initialLearningRate · ((1 - alpha) · ½(1 + cos(π · min(step, decaySteps)/decaySteps)) + alpha)</c>.
/// With <c>warmupTarget</c>: for <c>step &lt; warmupSteps</c> the rate rises linearly from <c>initialLearningRate</c>
/// to <c>warmupTarget</c>, then decays from <c>warmupTarget</c> by the formula above at <c>step - warmupSteps</c>.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0.</param>
    /// <param name="decaySteps">Steps to decay over (> 0).</param>
    /// <param name="alpha">Minimum learning rate as a fraction of the decayed-from rate.</param>
    /// <param name="warmupTarget">The rate reached at the end of the warmup (null: no warmup).</param>
    /// <param name="warmupSteps">Steps of linear warmup.</param>
    /// <param name="name">The schedule's name.</param>
    public CosineDecay(double initialLearningRate, double decaySteps, double alpha = 0.0, double? warmupTarget = null, double warmupSteps = 0,
        string name = "CosineDecay")
    {
        ScheduleChecks.NonNegative(initialLearningRate, nameof(initialLearningRate));
        ScheduleChecks.Positive(decaySteps, nameof(decaySteps));
        ScheduleChecks.Finite(alpha, nameof(alpha));
        if (warmupTarget is double wt) ScheduleChecks.NonNegative(wt, nameof(warmupTarget));
        ScheduleChecks.NonNegative(warmupSteps, nameof(warmupSteps));
        ArgumentException.ThrowIfNullOrEmpty(name);
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; Alpha = alpha;
        WarmupTarget = warmupTarget; WarmupSteps = warmupSteps; Name = name;
    }

    /// <summary>The learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps to decay over.</summary>
    public double DecaySteps { get; }
    /// <summary>Minimum learning rate as a fraction.</summary>
    public double Alpha { get; }
    /// <summary>The warmup's target rate, or null.</summary>
    public double? WarmupTarget { get; }
    /// <summary>Steps of linear warmup.</summary>
    public double WarmupSteps { get; }
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        double s = step;
        if (WarmupTarget is not double target)
            return Decay(Math.Min(s, DecaySteps), InitialLearningRate);
        s = Math.Min(s, DecaySteps + WarmupSteps);
        if (s < WarmupSteps)
            return (target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate;
        return Decay(s - WarmupSteps, target);
    }

    private double Decay(double s, double from)
    {
        double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * (s / DecaySteps)));
        return from * ((1 - Alpha) * cosine + Alpha);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["alpha"] = Alpha,
        ["name"] = Name, ["warmup_target"] = WarmupTarget, ["warmup_steps"] = WarmupSteps,
    };
}
