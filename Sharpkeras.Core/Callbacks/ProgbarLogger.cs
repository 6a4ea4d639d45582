using System.Diagnostics;
using System.Text;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Prints Keras's progress bar (<c>1/63 ━━━━━━━━━━━━━━━━━━━━ 0s 5ms/step - accuracy: 0.9100 - loss: 0.3100</c>).
/// With <c>verbose: 1</c> on a terminal it redraws in place, at most every <see cref="Interval"/> seconds (only
/// then are the batch values read from the device); otherwise (verbose 2, or output redirected) it prints
/// one line per epoch.
/// </summary>
public sealed class ProgbarLogger : Callback
{
    private int _epochs = 1;
    private int? _steps;
    private int _verbose = 1;
    private bool _interactive;
    private readonly Stopwatch _clock = new();
    private double _lastDraw = double.NegativeInfinity;
    private int _seen;

    /// <summary>Creates the logger; output goes to <paramref name="writer"/> (default Console.Out).</summary>
    public ProgbarLogger(TextWriter? writer = null, bool? interactive = null)
    {
        Writer = writer;
        _forcedInteractive = interactive;
    }

    private readonly bool? _forcedInteractive;

    /// <summary>Where the bar is printed.</summary>
    public TextWriter? Writer { get; }

    private TextWriter Out => Writer ?? Console.Out;

    /// <summary>Minimum seconds between redraws (default 0.1).</summary>
    public double Interval { get; init; } = 0.1;

    /// <summary>Bar width in characters (Keras: 20).</summary>
    public int Width { get; init; } = 20;

    /// <inheritdoc />
    public override void SetParams(IReadOnlyDictionary<string, object?> parameters)
    {
        base.SetParams(parameters);
        if (parameters.TryGetValue("epochs", out var e) && e is int ei) _epochs = ei;
        _steps = parameters.TryGetValue("steps", out var s) ? s as int? : null;
        if (parameters.TryGetValue("verbose", out var v) && v is int vi) _verbose = vi;
        _interactive = _forcedInteractive ?? (_verbose == 1 && Writer == null && !Console.IsOutputRedirected);
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        if (_verbose == 0) return;
        Out.WriteLine($"Epoch {epoch + 1}/{_epochs}");
        Start();
    }

    private void Start()
    {
        _clock.Restart();
        _lastDraw = double.NegativeInfinity;
        _seen = 0;
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => BatchEnd(batch, logs);

    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double> logs)
    {
        // Inside Fit, validation is silent (Keras shows val_* on the epoch line).
        if (Params.ContainsKey("epochs")) return;
        Start();
    }

    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (Params.ContainsKey("epochs")) return;
        BatchEnd(batch, logs);
    }

    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double> logs)
    {
        if (Params.ContainsKey("epochs") || _verbose == 0) return;
        Finish(logs);
    }

    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double> logs) => Start();

    /// <inheritdoc />
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) => BatchEnd(batch, logs);

    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double> logs)
    {
        if (_verbose == 0) return;
        Finish(new Dictionary<string, double>());
    }

    private void BatchEnd(int batch, IDictionary<string, double> logs)
    {
        _seen = batch + 1;
        if (_verbose != 1 || !_interactive) return;
        double now = _clock.Elapsed.TotalSeconds;
        bool last = _steps is int st && _seen >= st;
        if (now - _lastDraw < Interval && !last) return;
        _lastDraw = now;
        Out.Write("\r" + Line(logs, final: false) + "\u001b[K");
        Out.Flush();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_verbose == 0) return;
        Finish(logs);
    }

    private void Finish(IDictionary<string, double> logs)
    {
        string line = Line(logs, final: true);
        if (_interactive) Out.WriteLine("\r" + line + "\u001b[K");
        else Out.WriteLine(line);
        Out.Flush();
    }

    private string Line(IDictionary<string, double> logs, bool final)
    {
        double elapsed = _clock.Elapsed.TotalSeconds;
        int target = _steps ?? _seen;
        var sb = new StringBuilder();
        int digits = Math.Max(1, (int)Math.Floor(Math.Log10(Math.Max(1, target))) + 1);
        sb.Append(_seen.ToString().PadLeft(digits)).Append('/').Append(target);
        double perStep = _seen > 0 ? elapsed / _seen : 0;
        if (_interactive)
        {
            int filled = target > 0 ? (int)(Width * Math.Min(1.0, (double)_seen / target)) : Width;
            sb.Append(' ').Append(new string('━', filled));
            if (filled < Width) sb.Append(new string('─', Width - filled));
            double shown = final ? elapsed : Math.Max(0, perStep * (target - _seen));
            sb.Append(' ').Append(FormatDuration(shown)).Append(' ').Append(FormatPerStep(perStep));
        }
        else
        {
            sb.Append(" - ").Append(FormatDuration(elapsed)).Append(" - ").Append(FormatPerStep(perStep));
        }
        foreach (var k in logs.Keys.Where(k => k != "learning_rate").OrderBy(k => k, StringComparer.Ordinal))
            sb.Append(" - ").Append(k).Append(": ").Append(FormatValue(logs[k]));
        return sb.ToString();
    }

    /// <summary>Keras's number format: 4 decimals, or scientific below 1e-3.</summary>
    public static string FormatValue(double v) =>
        Math.Abs(v) > 1e-3 || v == 0 ? v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)
            : v.ToString("0.0000e+00", System.Globalization.CultureInfo.InvariantCulture);

    private static string FormatDuration(double seconds)
    {
        if (seconds >= 3600) return $"{(int)(seconds / 3600)}:{(int)(seconds % 3600 / 60):00}:{(int)(seconds % 60):00}";
        if (seconds >= 60) return $"{(int)(seconds / 60)}:{(int)(seconds % 60):00}";
        return $"{(int)seconds}s";
    }

    private static string FormatPerStep(double s)
    {
        if (s >= 1) return $"{s:0}s/step";
        if (s >= 1e-3) return $"{s * 1e3:0}ms/step";
        return $"{s * 1e6:0}us/step";
    }
}
