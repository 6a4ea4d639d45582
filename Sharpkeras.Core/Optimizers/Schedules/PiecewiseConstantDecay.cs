namespace Sharpkeras.Optimizers.Schedules;

/// <summary>
/// A piecewise constant learning rate (Keras's <c>PiecewiseConstantDecay</c>): <c>values[0]</c> while
/// <c>step &lt;= boundaries[0]</c>, <c>values[i]</c> while <c>boundaries[i-1] &lt; step &lt;= boundaries[i]</c>, and
/// <c>values[^1]</c> past the last boundary.
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly double[] _values;

    /// <summary>Creates the schedule.</summary>
    /// <param name="boundaries">Strictly increasing step boundaries (at least one).</param>
    /// <param name="values">The learning rates: one more than <paramref name="boundaries"/>.</param>
    /// <param name="name">The schedule's name.</param>
    public PiecewiseConstantDecay(long[] boundaries, double[] values, string name = "PiecewiseConstant")
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (boundaries.Length == 0) throw new ArgumentException("boundaries must hold at least one step.", nameof(boundaries));
        if (boundaries.Length != values.Length - 1)
            throw new ArgumentException(
                "The length of boundaries should be 1 less than the length of values. " +
                $"Received: boundaries=[{string.Join(", ", boundaries)}] of length {boundaries.Length}, and values=[{string.Join(", ", values)}] of length {values.Length}.",
                nameof(values));
        for (int i = 1; i < boundaries.Length; i++)
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException(
                    $"boundaries must be strictly increasing; got boundaries[{i - 1}]={boundaries[i - 1]} and boundaries[{i}]={boundaries[i]}.", nameof(boundaries));
        for (int i = 0; i < values.Length; i++)
            ScheduleChecks.NonNegative(values[i], $"values[{i}]");
        ArgumentException.ThrowIfNullOrEmpty(name);
        _boundaries = (long[])boundaries.Clone();
        _values = (double[])values.Clone();
        Name = name;
    }

    /// <summary>The step boundaries.</summary>
    public IReadOnlyList<long> Boundaries => _boundaries;
    /// <summary>The learning rates of the intervals.</summary>
    public IReadOnlyList<double> Values => _values;
    /// <summary>The schedule's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override double Evaluate(long step)
    {
        ScheduleChecks.Step(step);
        for (int i = 0; i < _boundaries.Length; i++)
            if (step <= _boundaries[i]) return _values[i];
        return _values[^1];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["boundaries"] = _boundaries.ToArray(), ["values"] = _values.ToArray(), ["name"] = Name,
    };
}
