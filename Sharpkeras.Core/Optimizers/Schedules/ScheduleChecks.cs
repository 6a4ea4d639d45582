namespace Sharpkeras.Optimizers.Schedules;

/// <summary>Argument checks shared by the schedules.</summary>
internal static class ScheduleChecks
{
    public static void Finite(double v, string name)
    {
        if (!double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a finite number.");
    }

    public static void NonNegative(double v, string name)
    {
        if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be finite and >= 0.");
    }

    public static void Positive(double v, string name)
    {
        if (!(v > 0) || !double.IsFinite(v))
            throw new ArgumentOutOfRangeException(name, v, $"Argument `{name}` must be > 0. Received: {name}={v}");
    }

    public static void Step(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0.");
    }
}
