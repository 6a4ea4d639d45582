using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sharpkeras.Display;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Prints Keras 3's progress bar (its <c>keras.utils.Progbar</c> driven by <c>ProgbarLogger</c>):
/// <c>Epoch 3/15</c> (only when training more than one epoch), then
/// <c>63/63 ━━━━━━━━━━━━━━━━━━━━ 2s 30ms/step - accuracy: 0.9100 - loss: 0.3100 - val_accuracy: …</c>.
/// Live (a terminal, or <see cref="Keras.Config.ProgressBarLiveUpdates"/>): the line is redrawn in place at most
/// every <see cref="Interval"/> seconds with Keras's characters and colours (bold counter, green done part, grey
/// rest, bold time), showing the time left while running and the elapsed time at the end; only when it redraws
/// are the batch values read from the device. Not live (output redirected): one line per epoch in Keras's
/// <c>verbose: 2</c> form, <c>63/63 - 2s - 30ms/step - accuracy: 0.9100 - …</c>; <c>verbose: 2</c> prints that
/// line too. Time per step leaves out the first (warm-up) step, as Keras does. Metrics print as Keras prints
/// them: sorted by name, 4 decimals, or 4-digit exponent form when |value| ≤ 0.001.
/// </summary>
public sealed class ProgbarLogger : Callback
{
    private readonly bool? _forcedInteractive;
    private readonly Func<double> _now;
    private int _epochs = 1;
    private int? _target;
    private int _verbose = 1;
    private bool _calledInFit;
    private bool _live;
    private bool _color;

    // Progbar state (one bar per epoch / evaluate / predict).
    private bool _active;
    private int _seen;
    private double _start;
    private double _lastUpdate;
    private double? _timeAfterFirstStep;
    private int _prevTotalWidth;

    /// <summary>Creates the logger.</summary>
    /// <param name="writer">Where the bar goes (default the console; colours only there).</param>
    /// <param name="interactive">Force live redrawing on or off (default: <see cref="Keras.Config.ProgressBarLiveUpdates"/>,
    /// else whether the console is a terminal).</param>
    public ProgbarLogger(TextWriter? writer = null, bool? interactive = null) : this(writer, interactive, null) { }

    /// <summary>Creates the logger with a clock in seconds (tests).</summary>
    internal ProgbarLogger(TextWriter? writer, bool? interactive, Func<double>? clock)
    {
        Writer = writer;
        _forcedInteractive = interactive;
        if (clock is null)
        {
            var sw = Stopwatch.StartNew();
            _now = () => sw.Elapsed.TotalSeconds;
        }
        else _now = clock;
    }

    /// <summary>Where the bar is printed (null: the console).</summary>
    public TextWriter? Writer { get; }

    private TextWriter Out => Writer ?? Console.Out;

    /// <summary>Minimum seconds between redraws (Keras: 0.05).</summary>
    public double Interval { get; init; } = 0.05;

    /// <summary>Colours on or off regardless of the writer (tests).</summary>
    internal bool? ForceColor { get; init; }

    /// <summary>Bar width in characters (Keras: 20).</summary>
    public int Width { get; init; } = 20;

    /// <inheritdoc />
    public override void SetParams(IReadOnlyDictionary<string, object?> parameters)
    {
        base.SetParams(parameters);
        if (parameters.TryGetValue("epochs", out var e) && e is int ei) _epochs = ei;
        _target = parameters.TryGetValue("steps", out var s) ? s as int? : null;
        if (parameters.TryGetValue("verbose", out var v) && v is int vi) _verbose = vi;
        _live = _forcedInteractive ?? Keras.Config.ProgressBarLiveUpdates ?? (Writer == null && !Console.IsOutputRedirected);
        _color = ForceColor ?? _live && Writer == null
                 && Environment.GetEnvironmentVariable("NO_COLOR") is not { Length: > 0 }
                 && Environment.GetEnvironmentVariable("TERM") != "dumb";
    }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs) => _calledInFit = true;

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        Reset();
        if (_verbose != 0 && _epochs > 1)
        {
            Out.WriteLine($"Epoch {epoch + 1}/{_epochs}");
            Out.Flush();
        }
    }

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => Update(batch + 1, logs);

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => Finalize(logs);

    /// <inheritdoc />
    public override void OnTestBegin(IDictionary<string, double> logs)
    {
        if (!_calledInFit) Reset();   // inside Fit, validation is silent (val_* appear on the epoch line)
    }

    /// <inheritdoc />
    public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (!_calledInFit) Update(batch + 1, logs);
    }

    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double> logs)
    {
        if (!_calledInFit) Finalize(logs);
    }

    /// <inheritdoc />
    public override void OnPredictBegin(IDictionary<string, double> logs) => Reset();

    /// <inheritdoc />
    public override void OnPredictBatchEnd(int batch, IDictionary<string, double> logs) => Update(batch + 1, null);

    /// <inheritdoc />
    public override void OnPredictEnd(IDictionary<string, double> logs) => Finalize(null);

    private void Reset()
    {
        _active = true;
        _seen = 0;
        _start = _now();
        _lastUpdate = 0;
        _timeAfterFirstStep = null;
        _prevTotalWidth = 0;
    }

    private void Update(int current, IDictionary<string, double>? logs)
    {
        if (!_active) Reset();
        if (_verbose == 1) Draw(current, logs, finalize: false);
        else _seen = current;
    }

    private void Finalize(IDictionary<string, double>? logs)
    {
        if (!_active) Reset();
        if (_target is null) _target = _seen;
        if (_verbose != 0) Draw(_target.Value, logs, finalize: true);
        _active = false;
    }

    /// <summary>Keras's <c>Progbar.update</c>.</summary>
    private void Draw(int current, IDictionary<string, double>? logs, bool finalize)
    {
        _seen = current;
        double now = _now();
        double timePerUnit = EstimateStepDuration(current, now);
        bool live = _verbose == 1 && _live;
        if (live)
        {
            if (now - _lastUpdate < Interval && !finalize) return;
            var (message, width) = LiveLine(current, logs, finalize, now, timePerUnit);
            var sb = new StringBuilder();
            sb.Append('\b', _prevTotalWidth).Append('\r').Append(message);
            if (_prevTotalWidth > width) sb.Append(' ', _prevTotalWidth - width);
            if (finalize) sb.Append('\n');
            Out.Write(sb.ToString());
            Out.Flush();
            _prevTotalWidth = width;
        }
        else if (finalize && _target is > 0)
        {
            // Keras's verbose=2 line (also what a redirected verbose=1 run prints, once per epoch).
            var sb = new StringBuilder();
            sb.Append(Counter(current)).Append(" - ").Append(PythonNumbers.Fixed(now - _start, 0)).Append("s -")
              .Append(FormatTime(timePerUnit));
            AppendValues(sb, logs, absolute: false);
            Out.WriteLine(sb.ToString());
            Out.Flush();
        }
        _lastUpdate = now;
    }

    private (string message, int width) LiveLine(int current, IDictionary<string, double>? logs, bool finalize, double now, double timePerUnit)
    {
        string Bold(string s) => _color ? $"\u001b[1m{s}\u001b[0m" : s;
        var plain = new StringBuilder();
        var shown = new StringBuilder();
        if (_target is > 0)
        {
            string counter = Counter(current);
            plain.Append(counter).Append(' ');
            shown.Append(Bold(counter)).Append(' ');
            int progWidth = (int)(Width * ((double)current / _target.Value));
            progWidth = Math.Clamp(progWidth, 0, Width);
            string done = new('━', progWidth), rest = new('━', Width - progWidth);
            plain.Append(done).Append(rest);
            if (_color)
            {
                if (progWidth > 0) shown.Append("\u001b[32m").Append(done).Append("\u001b[0m");
                shown.Append("\u001b[37m").Append(rest).Append("\u001b[0m");
            }
            else shown.Append(done).Append(rest);
        }
        else
        {
            string unknown = current.ToString(CultureInfo.InvariantCulture).PadLeft(7) + "/Unknown";
            plain.Append(unknown);
            shown.Append(unknown);
        }
        string time = _target is > 0 && !finalize
            ? Eta(timePerUnit * (_target.Value - current))
            : PythonNumbers.Fixed(now - _start, 0) + "s";
        plain.Append(' ').Append(time);
        shown.Append(' ').Append(Bold(time));
        var info = new StringBuilder(FormatTime(timePerUnit));
        AppendValues(info, logs, absolute: true);
        plain.Append(info);
        shown.Append(info);
        return (shown.ToString(), plain.Length);
    }

    private string Counter(int current)
    {
        int digits = (int)Math.Log10(_target!.Value) + 1;
        return current.ToString(CultureInfo.InvariantCulture).PadLeft(digits) + "/" + _target.Value.ToString(CultureInfo.InvariantCulture);
    }

    private static void AppendValues(StringBuilder sb, IDictionary<string, double>? logs, bool absolute)
    {
        if (logs is null) return;
        foreach (var k in logs.Keys.Where(k => k != "learning_rate").OrderBy(k => k, StringComparer.Ordinal))
        {
            double v = logs[k];
            bool fixedForm = absolute ? Math.Abs(v) > 1e-3 : v > 1e-3;
            sb.Append(" - ").Append(k).Append(": ").Append(fixedForm ? PythonNumbers.Fixed(v, 4) : PythonNumbers.Exponent(v, 4));
        }
    }

    /// <summary>Keras's <c>_estimate_step_duration</c>: after the first step, the first (warm-up) step is left out.</summary>
    private double EstimateStepDuration(int current, double now)
    {
        if (current == 0) return 0;
        double perUnit = _timeAfterFirstStep is double t1 && current > 1
            ? (now - t1) / (current - 1)
            : (now - _start) / current;
        if (current == 1) _timeAfterFirstStep = now;
        return perUnit;
    }

    /// <summary>Keras's value format: 4 decimals when |v| &gt; 0.001, else 4-digit exponent form ("1.2346e-04").</summary>
    /// <param name="v">The value.</param>
    public static string FormatValue(double v) => Math.Abs(v) > 1e-3 ? PythonNumbers.Fixed(v, 4) : PythonNumbers.Exponent(v, 4);

    /// <summary>Keras's time left: "h:mm:ss" above an hour, "m:ss" above a minute, else whole seconds ("42s"), truncated.</summary>
    /// <param name="eta">Seconds left.</param>
    internal static string Eta(double eta)
    {
        if (eta > 3600)
            return string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Floor(eta / 3600)}:{(long)Math.Floor(eta % 3600 / 60):00}:{(long)(eta % 60):00}");
        if (eta > 60)
            return string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Floor(eta / 60)}:{(long)(eta % 60):00}");
        return string.Create(CultureInfo.InvariantCulture, $"{(long)eta}s");
    }

    /// <summary>Keras's time per step: " 2s/step" (also for 0), " 30ms/step", " 850us/step", rounded half to even.</summary>
    /// <param name="timePerUnit">Seconds per step.</param>
    internal static string FormatTime(double timePerUnit)
    {
        if (timePerUnit >= 1 || timePerUnit == 0) return " " + PythonNumbers.Fixed(timePerUnit, 0) + "s/step";
        if (timePerUnit >= 1e-3) return " " + PythonNumbers.Fixed(timePerUnit * 1000.0, 0) + "ms/step";
        return " " + PythonNumbers.Fixed(timePerUnit * 1000000.0, 0) + "us/step";
    }
}
