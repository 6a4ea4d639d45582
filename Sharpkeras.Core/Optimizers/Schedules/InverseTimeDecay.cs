namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// Inverse time decay (Keras's <c>InverseTimeDecay</c>):
/// <c>lr(step) = initialLearningRate / (1 + decayRate · step / decaySteps)</c>, with <c>step / decaySteps</c>
/// floored when <c>staircase</c> is true.
/// </summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0.</param>
    /// <param name="decaySteps">How often to apply decay (> 0).</param>
    /// <param name="decayRate">The decay rate (>= 0).</param>
    /// <param name="staircase">Decay at discrete intervals.</param>
    /// <param name="name">The schedule's name.</param>
    public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false, string name = "InverseTimeDecay")
    {
        ScheduleChecks.NonNegative(initialLearningRate, nameof(initialLearningRate));
        ScheduleChecks.Positive(decaySteps, nameof(decaySteps));
        ScheduleChecks.NonNegative(decayRate, nameof(decayRate));
        ArgumentException.ThrowIfNullOrEmpty(name);
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; DecayRate = decayRate; Staircase = staircase; Name = name;
    }

    /// <summary>The learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>How often to apply decay.</summary>
    public double DecaySteps { get; }
    /// <summary>The decay rate.</summary>
    public double DecayRate { get; }
    /// <summary>Whether <c>step / decaySteps</c> is floored.</summary>
    public bool Staircase { get; }
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        double p = step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return InitialLearningRate / (1.0 + DecayRate * p);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase, ["name"] = Name,
    };
}
