using Sharpkeras.Saving;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Saves the model or its weights during training (Keras's <c>keras.callbacks.ModelCheckpoint</c>): at the
/// end of every epoch, or every <c>saveFreq</c> batches; optionally only when the monitored quantity
/// improves. The file path may hold Python format fields filled from the epoch (1-based, as in Keras),
/// the batch (1-based) and the logs: <c>"ckpt/model.{epoch:02d}-{val_loss:.4f}.skeras"</c>. Files are
/// written with <see cref="Model.Save"/> (".skeras") or <see cref="Model.SaveWeights"/> (".safetensors"), both atomic.
/// </summary>
public class ModelCheckpoint : Callback
{
    private readonly bool _lowerIsBetter;
    private readonly int? _saveFreqBatches;
    private int _batchesSeenSinceLastSaving;
    private int? _lastBatchSeen;
    private int _currentEpoch;
    private bool _warnedMissingMonitor;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">Where to save; may contain <c>{epoch:02d}</c>, <c>{batch}</c> and log names like <c>{val_loss:.4f}</c>. Must end in ".skeras", or ".safetensors" with <paramref name="saveWeightsOnly"/>.</param>
    /// <param name="monitor">The log to monitor ("val_loss", "val_accuracy", "loss", …).</param>
    /// <param name="verbose">0: silent; 1: a message each time the callback acts.</param>
    /// <param name="saveBestOnly">Save only when the monitored quantity improves on the best seen so far.</param>
    /// <param name="saveWeightsOnly">Save only the weights (<see cref="Model.SaveWeights"/>) instead of the whole model.</param>
    /// <param name="mode">"min", "max" or "auto" (from the monitor's name: accuracies and similar are maximized, losses minimized).</param>
    /// <param name="saveFreq">"epoch" (default, also null) or an int: save every this many batches.</param>
    /// <param name="initialValueThreshold">The initial "best" value: with <paramref name="saveBestOnly"/>, only better values are saved.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false,
        bool saveWeightsOnly = false, string mode = "auto", object? saveFreq = null, double? initialValueThreshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filepath);
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        ArgumentNullException.ThrowIfNull(mode);
        if (verbose < 0) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0 or 1.");
        try { Sharpkeras.Saving.PythonFormat.FieldNames(filepath); }
        catch (FormatException e) { throw new ArgumentException($"Invalid filepath template \"{filepath}\": {e.Message}", nameof(filepath), e); }
        if (saveWeightsOnly)
        {
            if (!filepath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) && !filepath.EndsWith(".weights.h5", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException(
                    $"When using saveWeightsOnly: true in ModelCheckpoint, the filepath provided must end in '.safetensors' (Sharpkeras weights format) or '.weights.h5' (Keras's). Received: filepath={filepath}",
                    nameof(filepath));
        }
        else if (!filepath.EndsWith(".skeras", StringComparison.OrdinalIgnoreCase) && !filepath.EndsWith(".keras", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException(
                $"The filepath provided must end in '.skeras' (Sharpkeras model format) or '.keras' (Keras's). Received: filepath={filepath}", nameof(filepath));
        switch (saveFreq)
        {
            case null or "epoch": break;
            case int n when n > 0: _saveFreqBatches = n; break;
            default:
                throw new ArgumentException($"Unrecognized saveFreq: {saveFreq}. Expected saveFreq are 'epoch' or positive integer values.", nameof(saveFreq));
        }
        if (mode is not ("auto" or "min" or "max"))
        {
            Warn($"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.");
            mode = "auto";
        }
        Filepath = filepath;
        Monitor = monitor;
        Verbose = verbose;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        Mode = mode;
        Best = initialValueThreshold;
        _lowerIsBetter = mode == "min" || (mode == "auto" && !HigherIsBetter(monitor));
    }

    /// <summary>The path template.</summary>
    public string Filepath { get; }

    /// <summary>The monitored log.</summary>
    public string Monitor { get; }

    /// <summary>Verbosity (0 or 1).</summary>
    public int Verbose { get; }

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether only the weights are saved.</summary>
    public bool SaveWeightsOnly { get; }

    /// <summary>"auto", "min" or "max".</summary>
    public string Mode { get; }

    /// <summary>"epoch", or the number of batches between saves.</summary>
    public object SaveFreq => _saveFreqBatches is int n ? n : "epoch";

    /// <summary>The best monitored value so far (or the initial threshold), null before any.</summary>
    public double? Best { get; private set; }

    /// <summary>Keras's "auto" rule: accuracies, AUC, precision, recall and F-scores are maximized; anything else minimized.</summary>
    internal static bool HigherIsBetter(string monitor)
    {
        var name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor[4..] : monitor;
        if (name == "loss" || name.EndsWith("_loss", StringComparison.Ordinal)) return false;
        return name.Contains("acc", StringComparison.Ordinal) || name.StartsWith("fmeasure", StringComparison.Ordinal)
               || name.EndsWith("auc", StringComparison.Ordinal) || name.EndsWith("precision", StringComparison.Ordinal)
               || name.EndsWith("recall", StringComparison.Ordinal) || name.Contains("f1_score", StringComparison.Ordinal)
               || name.Contains("fbeta_score", StringComparison.Ordinal) || name.EndsWith("r2_score", StringComparison.Ordinal);
    }

    private static void Warn(string message) => Console.Error.WriteLine($"UserWarning: {message}");

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs) => CheckWritableDirectory(Filepath, nameof(ModelCheckpoint));

    /// <summary>Creates the folder of a path template (up to its first field) and checks that a file can be written there.</summary>
    internal static void CheckWritableDirectory(string template, string who)
    {
        var prefix = Sharpkeras.Saving.PythonFormat.StaticPrefix(template);
        string full = Path.GetFullPath(prefix.Length == 0 ? "x" : prefix + "x");
        var dir = prefix.EndsWith('/') || prefix.EndsWith(Path.DirectorySeparatorChar) ? Path.GetFullPath(prefix) : Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".sharpkeras-write-test-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"{who}: cannot write files in the folder '{dir}' (from '{template}'): {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _currentEpoch = epoch;

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (ShouldSaveOnBatch(batch)) SaveModel(_currentEpoch, batch, logs);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_saveFreqBatches == null) SaveModel(epoch, null, logs);
    }

    private bool ShouldSaveOnBatch(int batch)
    {
        if (_saveFreqBatches is not int freq) return false;
        int add = _lastBatchSeen is not int last || batch <= last ? batch + 1 : batch - last;
        _batchesSeenSinceLastSaving += add;
        _lastBatchSeen = batch;
        if (_batchesSeenSinceLastSaving < freq) return false;
        _batchesSeenSinceLastSaving = 0;
        return true;
    }

    /// <summary>The file path for this epoch (0-based; written 1-based) and batch (0-based or null).</summary>
    internal string GetFilePath(int epoch, int? batch, IDictionary<string, double> logs)
    {
        try
        {
            return Sharpkeras.Saving.PythonFormat.Format(Filepath, name =>
            {
                if (name == "epoch") return (true, epoch + 1);
                if (logs.TryGetValue(name, out var v)) return (true, v);
                if (name == "batch" && batch is int b) return (true, b + 1);
                return (false, null);
            });
        }
        catch (KeyNotFoundException e)
        {
            throw new KeyNotFoundException($"Failed to format this callback filepath: \"{Filepath}\". Reason: {e.Message}", e);
        }
    }

    private bool ShouldSave(int epoch, IDictionary<string, double> logs, string path)
    {
        if (!SaveBestOnly)
        {
            if (Verbose > 0) Console.WriteLine($"\nEpoch {epoch + 1}: saving model to {path}");
            return true;
        }
        if (!logs.TryGetValue(Monitor, out var current))
        {
            if (!_warnedMissingMonitor)
            {
                Warn($"Can save best model only with {Monitor} available.");
                _warnedMissingMonitor = true;
            }
            return true;
        }
        string bestText = Best is double b ? Sharpkeras.Saving.PythonFormat.FormatNumber(b, ".5f") : "None";
        bool improved = Best is not double best || (_lowerIsBetter ? current < best : current > best);
        if (improved)
        {
            if (Verbose > 0)
                Console.WriteLine($"\nEpoch {epoch + 1}: {Monitor} improved from {bestText} to {Sharpkeras.Saving.PythonFormat.FormatNumber(current, ".5f")}, saving model to {path}");
            Best = current;
            return true;
        }
        if (Verbose > 0) Console.WriteLine($"\nEpoch {epoch + 1}: {Monitor} did not improve from {bestText}");
        return false;
    }

    private void SaveModel(int epoch, int? batch, IDictionary<string, double> logs)
    {
        var model = Model ?? throw new InvalidOperationException("ModelCheckpoint has no model: it must be passed to Fit.");
        var path = GetFilePath(epoch, batch, logs);
        if (!ShouldSave(epoch, logs, path)) return;
        if (Directory.Exists(path))
            throw new IOException($"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing directory: {path}");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        if (SaveWeightsOnly) model.SaveWeights(path, overwrite: true);
        else model.Save(path, overwrite: true);
        if (Verbose > 0) Console.WriteLine($"\nEpoch {epoch + 1}: finished saving model to {path}");
    }
}
