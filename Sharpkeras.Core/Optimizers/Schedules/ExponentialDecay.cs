namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// Exponential decay (Keras's <c>ExponentialDecay</c>):
/// <c>lr(step) = initialLearningRate · decayRate^(step / decaySteps)</c>, with the exponent floored when
/// <c>staircase</c> is true.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0.</param>
    /// <param name="decaySteps">Steps per decay period (> 0).</param>
    /// <param name="decayRate">The factor applied per period.</param>
    /// <param name="staircase">Decay at discrete intervals (integer exponent).</param>
    /// <param name="name">The schedule's name.</param>
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false, string name = "ExponentialDecay")
    {
        ScheduleChecks.NonNegative(initialLearningRate, nameof(initialLearningRate));
        ScheduleChecks.Positive(decaySteps, nameof(decaySteps));
        ScheduleChecks.NonNegative(decayRate, nameof(decayRate));
        ArgumentException.ThrowIfNullOrEmpty(name);
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; DecayRate = decayRate; Staircase = staircase; Name = name;
    }

    /// <summary>The learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps per decay period.</summary>
    public double DecaySteps { get; }
    /// <summary>The factor applied per period.</summary>
    public double DecayRate { get; }
    /// <summary>Whether the exponent is floored.</summary>
    public bool Staircase { get; }
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        double p = step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return InitialLearningRate * Math.Pow(DecayRate, p);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase, ["name"] = Name,
    };
}
