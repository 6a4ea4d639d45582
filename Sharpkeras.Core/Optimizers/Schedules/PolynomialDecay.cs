namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// Polynomial decay (Keras's <c>PolynomialDecay</c>):
/// <c>lr(step) = (initialLearningRate - endLearningRate) · (1 - step/decaySteps)^power + endLearningRate</c>, with
/// <c>step</c> capped at <c>decaySteps</c>; with <c>cycle</c>, <c>decaySteps</c> is instead multiplied by
/// <c>ceil(step / decaySteps)</c> (1 at step 0), so the decay restarts every period.
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0.</param>
    /// <param name="decaySteps">Steps to reach <paramref name="endLearningRate"/> (> 0).</param>
    /// <param name="endLearningRate">The final learning rate.</param>
    /// <param name="power">The polynomial's power.</param>
    /// <param name="cycle">Restart the decay past <paramref name="decaySteps"/>.</param>
    /// <param name="name">The schedule's name.</param>
    public PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate = 0.0001, double power = 1.0,
        bool cycle = false, string name = "PolynomialDecay")
    {
        ScheduleChecks.NonNegative(initialLearningRate, nameof(initialLearningRate));
        ScheduleChecks.Positive(decaySteps, nameof(decaySteps));
        ScheduleChecks.NonNegative(endLearningRate, nameof(endLearningRate));
        ScheduleChecks.Finite(power, nameof(power));
        ArgumentException.ThrowIfNullOrEmpty(name);
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; EndLearningRate = endLearningRate;
        Power = power; Cycle = cycle; Name = name;
    }

    /// <summary>The learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps to reach the end learning rate.</summary>
    public double DecaySteps { get; }
    /// <summary>The final learning rate.</summary>
    public double EndLearningRate { get; }
    /// <summary>The polynomial's power.</summary>
    public double Power { get; }
    /// <summary>Whether the decay restarts every period.</summary>
    public bool Cycle { get; }
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        double s = step;
        double decaySteps = DecaySteps;
        if (Cycle)
        {
            double multiplier = step == 0 ? 1.0 : Math.Ceiling(s / DecaySteps);
            decaySteps *= multiplier;
        }
        else s = Math.Min(s, decaySteps);
        double p = s / decaySteps;
        return (InitialLearningRate - EndLearningRate) * Math.Pow(1 - p, Power) + EndLearningRate;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["end_learning_rate"] = EndLearningRate,
        ["power"] = Power, ["cycle"] = Cycle, ["name"] = Name,
    };
}
