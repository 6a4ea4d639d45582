using static TorchSharp.torch;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Stops training when a monitored value has stopped improving (Keras's <c>keras.callbacks.EarlyStopping</c>).
/// At each epoch end (from <c>startFromEpoch</c> on) the wait counter grows by one and is reset by an improvement
/// (by more than <c>minDelta</c>, and beating <c>baseline</c> when one is given); training stops once the counter
/// reaches <c>patience</c> (never at epoch 0). With <c>restoreBestWeights</c> the weights of the best epoch are put
/// back when training ends.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly MonitorTracker _tracker;
    private readonly CallbackWarnings _warnings = new();
    private List<Tensor>? _bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log key to watch (default "val_loss").</param>
    /// <param name="minDelta">Minimum change counted as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement before stopping (>= 0).</param>
    /// <param name="verbose">0 silent, 1 prints when stopping and restoring.</param>
    /// <param name="mode">"auto", "min" or "max".</param>
    /// <param name="baseline">Training stops if the value does not beat this within <paramref name="patience"/> epochs.</param>
    /// <param name="restoreBestWeights">Restore the best epoch's weights when training ends.</param>
    /// <param name="startFromEpoch">Epochs to wait before monitoring starts (warm-up).</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0, string mode = "auto",
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        _tracker = new MonitorTracker(nameof(EarlyStopping), monitor, mode, minDelta);
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be >= 0.");
        if (startFromEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "startFromEpoch must be >= 0.");
        if (baseline is double b && !double.IsFinite(b)) throw new ArgumentOutOfRangeException(nameof(baseline), b, "baseline must be a finite number.");
        Patience = patience;
        Verbose = verbose;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>The log key watched.</summary>
    public string Monitor => _tracker.Monitor;
    /// <summary>Minimum change counted as an improvement (absolute value).</summary>
    public double MinDelta => _tracker.MinDelta;
    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }
    /// <summary>"auto", "min" or "max".</summary>
    public string Mode => _tracker.Mode;
    /// <summary>The baseline the value must beat, or null.</summary>
    public double? Baseline { get; }
    /// <summary>Whether the best weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Epochs before monitoring starts.</summary>
    public int StartFromEpoch { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }
    /// <summary>The epoch (0-based) at which training was stopped, or 0.</summary>
    public int StoppedEpoch { get; private set; }
    /// <summary>The best value seen, or null.</summary>
    public double? Best { get; private set; }
    /// <summary>The epoch (0-based) of the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        Wait = 0;
        StoppedEpoch = 0;
        Best = null;
        BestEpoch = 0;
        DisposeBestWeights();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var model = Model ?? throw new InvalidOperationException("EarlyStopping is not attached to a model: pass it to Fit(callbacks: ...).");
        logs ??= new Dictionary<string, double>();
        if (!logs.TryGetValue(Monitor, out double current))
        {
            _warnings.Warn($"Early stopping conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}");
            return;
        }
        _tracker.Resolve(model);
        if (epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights == null)
        {
            _bestWeights = CopyWeights(model);
            BestEpoch = epoch;
        }
        Wait += 1;
        if (_tracker.IsImprovement(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights)
            {
                DisposeBestWeights();
                _bestWeights = CopyWeights(model);
            }
            if (Baseline == null || _tracker.IsImprovement(current, Baseline)) Wait = 0;
            return;
        }
        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            model.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (StoppedEpoch > 0 && Verbose > 0) Console.WriteLine($"Epoch {StoppedEpoch + 1}: early stopping");
        if (RestoreBestWeights && _bestWeights != null && Model != null)
        {
            if (Verbose > 0) Console.WriteLine($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
            Model.SetWeights(_bestWeights);
        }
    }

    private static List<Tensor> CopyWeights(Model model) => model.GetWeights().Select(w => w.DetachFromDisposeScope()).ToList();

    private void DisposeBestWeights()
    {
        if (_bestWeights == null) return;
        foreach (var w in _bestWeights) w.Dispose();
        _bestWeights = null;
    }
}
