namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// Cosine decay with warm restarts, SGDR (Keras's <c>CosineDecayRestarts</c>). Period i lasts
/// <c>firstDecaySteps · tMul^i</c> steps and starts at <c>initialLearningRate · mMul^i</c>; within a period at
/// completed fraction f the rate is <c>initialLearningRate · ((1 - alpha) · mMul^i · ½(1 + cos(π f)) + alpha)</c>.
/// </summary>
public sealed class CosineDecayRestarts : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0.</param>
    /// <param name="firstDecaySteps">Length of the first period (> 0).</param>
    /// <param name="tMul">Each period is this many times longer than the previous one (> 0).</param>
    /// <param name="mMul">Each period starts at this fraction of the previous one's initial rate.</param>
    /// <param name="alpha">Minimum learning rate as a fraction of <paramref name="initialLearningRate"/>.</param>
    /// <param name="name">The schedule's name.</param>
    public CosineDecayRestarts(double initialLearningRate, double firstDecaySteps, double tMul = 2.0, double mMul = 1.0, double alpha = 0.0,
        string name = "SGDRDecay")
    {
        ScheduleChecks.NonNegative(initialLearningRate, nameof(initialLearningRate));
        ScheduleChecks.Positive(firstDecaySteps, nameof(firstDecaySteps));
        ScheduleChecks.Positive(tMul, nameof(tMul));
        ScheduleChecks.NonNegative(mMul, nameof(mMul));
        ScheduleChecks.Finite(alpha, nameof(alpha));
        ArgumentException.ThrowIfNullOrEmpty(name);
        InitialLearningRate = initialLearningRate; FirstDecaySteps = firstDecaySteps; TMul = tMul; MMul = mMul; Alpha = alpha; Name = name;
    }

    /// <summary>The learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Length of the first period.</summary>
    public double FirstDecaySteps { get; }
    /// <summary>Period length multiplier.</summary>
    public double TMul { get; }
    /// <summary>Initial-rate multiplier per period.</summary>
    public double MMul { get; }
    /// <summary>Minimum learning rate as a fraction.</summary>
    public double Alpha { get; }
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        double fraction = step / FirstDecaySteps;
        double restart;
        if (TMul == 1.0)
        {
            restart = Math.Floor(fraction);
            fraction -= restart;
        }
        else
        {
            // Period i covers fractions [S(i), S(i+1)) with S(i) = (1 - tMul^i)/(1 - tMul). Keras takes
            // i = floor(log(1 - fraction·(1 - tMul)) / log(tMul)); the check below only corrects rounding at a boundary.
            restart = Math.Floor(Math.Log(1.0 - fraction * (1.0 - TMul)) / Math.Log(TMul));
            if (restart < 0) restart = 0;
            while (Start(restart + 1) <= fraction) restart++;
            while (restart > 0 && Start(restart) > fraction) restart--;
            fraction = (fraction - Start(restart)) / Math.Pow(TMul, restart);
        }
        double mFac = Math.Pow(MMul, restart);
        double cosine = 0.5 * mFac * (1.0 + Math.Cos(Math.PI * fraction));
        return InitialLearningRate * ((1 - Alpha) * cosine + Alpha);
    }

    private double Start(double i) => (1.0 - Math.Pow(TMul, i)) / (1.0 - TMul);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["first_decay_steps"] = FirstDecaySteps, ["t_mul"] = TMul,
        ["m_mul"] = MMul, ["alpha"] = Alpha, ["name"] = Name,
    };
}
