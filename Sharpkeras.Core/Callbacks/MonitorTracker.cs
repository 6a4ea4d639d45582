using Sharpkeras.Metrics;

namespace Sharpkeras.Callbacks;

/// <summary>
/// The "is this value better?" logic of Keras's monitoring callbacks (<c>MonitorCallback</c>): the mode ("min", "max",
/// or "auto": "loss" and error metrics are minimised, accuracy-like metrics maximised) and <c>minDelta</c>, the margin an
/// improvement must exceed.
/// </summary>
internal sealed class MonitorTracker
{
    private readonly string _owner;
    private bool? _greater;
    private double _delta;

    public MonitorTracker(string owner, string monitor, string mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrEmpty(monitor);
        if (mode is not ("auto" or "min" or "max"))
            throw new ArgumentException($"{owner} mode '{mode}' is unknown: expected \"auto\", \"min\" or \"max\".", nameof(mode));
        if (!double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number.");
        _owner = owner;
        Monitor = monitor;
        Mode = mode;
        MinDelta = Math.Abs(minDelta);
    }

    public string Monitor { get; }
    public string Mode { get; }
    public double MinDelta { get; }

    /// <summary>Whether larger values are better (null until resolved).</summary>
    public bool? Greater => _greater;

    /// <summary>Decides the direction once (Keras's <c>_set_monitor_op</c>), looking at the model's metrics in "auto" mode.</summary>
    public void Resolve(Model? model)
    {
        if (_greater != null) return;
        bool? greater = Mode switch { "min" => false, "max" => true, _ => null };
        if (greater == null)
        {
            string name = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
            string? direction = name == "loss" ? "down" : null;
            if (model != null)
                foreach (var m in model.Metrics)
                    if (m.Name == name && MetricDirections.Of(m) is string d) direction = d;
            direction ??= MetricDirections.OfName(name);
            if (direction == null)
                throw new InvalidOperationException(
                    $"{_owner} callback received monitor={Monitor}, but Keras isn't able to automatically determine whether that metric " +
                    "should be maximized or minimized. Pass `mode='max'` in order to monitor based on the highest metric value, or pass " +
                    "`mode='min'` in order to use the lowest value.");
            greater = direction == "up";
        }
        _greater = greater;
        _delta = greater.Value ? MinDelta : -MinDelta;
    }

    /// <summary>Keras's <c>_is_improvement</c>: true when there is no reference, else <c>op(value - delta, reference)</c>.</summary>
    public bool IsImprovement(double value, double? reference)
    {
        if (_greater == null) throw new InvalidOperationException("MonitorTracker.Resolve must be called first.");
        if (reference is not double r) return true;
        return _greater.Value ? value - _delta > r : value - _delta < r;
    }
}
