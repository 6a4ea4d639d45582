namespace Sharpkeras.Callbacks;

/// <summary>
/// Reduces the learning rate when a monitored value has stopped improving (Keras's
/// <c>keras.callbacks.ReduceLROnPlateau</c>): after <c>patience</c> epochs without an improvement larger than
/// <c>minDelta</c>, <c>lr = max(lr·factor, minLr)</c>, then <c>cooldown</c> epochs pass before counting again.
/// Writes the current learning rate to the epoch logs as "learning_rate". A monitor key missing from the logs prints
/// Keras's warning (once) and changes nothing.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly MonitorTracker _tracker;
    private readonly CallbackWarnings _warnings = new();
    private double? _best;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log key to watch (default "val_loss").</param>
    /// <param name="factor">Multiplier of the learning rate, in [0, 1).</param>
    /// <param name="patience">Epochs without improvement before reducing (>= 0).</param>
    /// <param name="verbose">0 silent, 1 prints each reduction.</param>
    /// <param name="mode">"auto", "min" or "max".</param>
    /// <param name="minDelta">Minimum change counted as an improvement.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting again (>= 0).</param>
    /// <param name="minLr">Lower bound of the learning rate (>= 0).</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0, string mode = "auto",
        double minDelta = 1e-4, int cooldown = 0, double minLr = 0.0)
    {
        _tracker = new MonitorTracker(nameof(ReduceLROnPlateau), monitor, mode, minDelta);
        if (factor >= 1.0)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={PythonFormat.Float(factor)}");
        if (!(factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in [0, 1).");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be >= 0.");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be >= 0.");
        if (!(minLr >= 0) || !double.IsFinite(minLr)) throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be finite and >= 0.");
        Factor = factor; Patience = patience; Verbose = verbose; Cooldown = cooldown; MinLr = minLr;
    }

    /// <summary>The log key watched.</summary>
    public string Monitor => _tracker.Monitor;
    /// <summary>Multiplier of the learning rate.</summary>
    public double Factor { get; }
    /// <summary>Epochs without improvement before reducing.</summary>
    public int Patience { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }
    /// <summary>"auto", "min" or "max".</summary>
    public string Mode => _tracker.Mode;
    /// <summary>Minimum change counted as an improvement.</summary>
    public double MinDelta => _tracker.MinDelta;
    /// <summary>Epochs to wait after a reduction.</summary>
    public int Cooldown { get; }
    /// <summary>Lower bound of the learning rate.</summary>
    public double MinLr { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }
    /// <summary>Cooldown epochs left.</summary>
    public int CooldownCounter { get; private set; }
    /// <summary>Whether the callback is cooling down.</summary>
    public bool InCooldown => CooldownCounter > 0;

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _best = null;
        CooldownCounter = 0;
        Wait = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var model = Model ?? throw new InvalidOperationException("ReduceLROnPlateau is not attached to a model: pass it to Fit(callbacks: ...).");
        var optimizer = model.Optimizer ?? throw new InvalidOperationException($"Model '{model.Name}' has no optimizer: compile it first.");
        logs ??= new Dictionary<string, double>();
        logs["learning_rate"] = optimizer.LearningRate;
        if (!logs.TryGetValue(Monitor, out double current))
        {
            _warnings.Warn($"Learning rate reduction is conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}.");
            return;
        }
        _tracker.Resolve(model);
        if (InCooldown)
        {
            CooldownCounter -= 1;
            Wait = 0;
        }
        if (_tracker.IsImprovement(current, _best))
        {
            _best = current;
            Wait = 0;
        }
        else if (!InCooldown)
        {
            Wait += 1;
            if (Wait >= Patience)
            {
                double oldLr = optimizer.LearningRate;
                // Keras keeps the rate in a float32 variable and compares with float32(minLr).
                if ((float)oldLr > (float)MinLr)
                {
                    double newLr = Math.Max(oldLr * Factor, MinLr);
                    optimizer.LearningRate = newLr;
                    if (Verbose > 0) Console.WriteLine($"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {PythonFormat.Float(newLr)}.");
                    CooldownCounter = Cooldown;
                    Wait = 0;
                }
            }
        }
    }
}
