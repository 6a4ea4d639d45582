using System.Globalization;
using Sharpkeras.Engine;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Backs up the training state so that an interrupted <c>Fit</c> (exception, or the process killed) resumes
/// where it stopped when it is run again with the same arguments (Keras's <c>keras.callbacks.BackupAndRestore</c>).
/// The backup — one file written atomically in <c>backupDir</c>, at the end of every epoch or every
/// <c>saveFreq</c> batches — holds the weights, the optimizer state and iterations, the epoch and batch
/// reached, and every random generator state training draws from (torch's global generator, the library
/// library generator, and generators held by layers) and the data iterator's state (<see cref="Callback.IteratorState"/>:
/// epoch, batches done, shuffle seed). On CPU, with in-memory tensors as data, a resumed run ends with weights
/// bit-identical to an uninterrupted one; mid-epoch, the iterator replays the epoch's shuffle order from its seed
/// and skips the batches already trained. (With a Dataset or <c>stepsPerEpoch</c>, training resumes at the right
/// epoch and batch, but the data order depends on the source.)
/// </summary>
public class BackupAndRestore : Callback
{
    /// <summary>The backup file's name inside <see cref="BackupDir"/>.</summary>
    public const string BackupFileName = "latest.backup.safetensors";

    private const string Format = "sharpkeras-backup";
    private readonly int? _saveFreqBatches;
    private int _batchesSeenSinceLastSaving;
    private int _lastBatchSeen;
    private int _currentEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="backupDir">The folder for the backup (created if needed); use it for nothing else.</param>
    /// <param name="saveFreq">"epoch" (default, also null) or an int: back up every this many batches.</param>
    /// <param name="doubleCheckpoint">Keep the previous backup too, and fall back to it if the latest cannot be read.</param>
    /// <param name="deleteCheckpoint">Delete the backup when training finishes.</param>
    public BackupAndRestore(string backupDir, object? saveFreq = null, bool doubleCheckpoint = false, bool deleteCheckpoint = true)
    {
        if (string.IsNullOrWhiteSpace(backupDir)) throw new ArgumentException("Empty backupDir argument passed.", nameof(backupDir));
        switch (saveFreq)
        {
            case null or "epoch": break;
            case int n when n > 0: _saveFreqBatches = n; break;
            default:
                throw new ArgumentException(
                    $"Invalid value for argument saveFreq. Received: saveFreq={saveFreq}. Expected either 'epoch' or a positive integer value.", nameof(saveFreq));
        }
        BackupDir = backupDir;
        DoubleCheckpoint = doubleCheckpoint;
        DeleteCheckpoint = deleteCheckpoint;
    }

    /// <summary>The backup folder.</summary>
    public string BackupDir { get; }

    /// <summary>"epoch", or the number of batches between backups.</summary>
    public object SaveFreq => _saveFreqBatches is int n ? n : "epoch";

    /// <summary>Whether the previous backup is kept as a fallback.</summary>
    public bool DoubleCheckpoint { get; }

    /// <summary>Whether the backup is deleted when training finishes.</summary>
    public bool DeleteCheckpoint { get; }

    private string BackupPath => Path.Combine(BackupDir, BackupFileName);

    private string PreviousPath => BackupPath + ".bkp";

    private Model TheModel => Model ?? throw new InvalidOperationException("BackupAndRestore has no model: it must be passed to Fit.");

    // ------------------------------------------------------------------------------------ restore

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        ModelCheckpoint.CheckWritableDirectory(Path.Combine(BackupDir, "x"), nameof(BackupAndRestore));
        try
        {
            Restore(BackupPath);
        }
        catch (InvalidDataException) when (DoubleCheckpoint && File.Exists(PreviousPath))
        {
            Restore(PreviousPath);
        }
    }

    private void Restore(string path)
    {
        if (!File.Exists(path)) return;
        var model = TheModel;
        if (model.Variables.Count == 0)
            throw new InvalidOperationException(
                $"To use the BackupAndRestore callback, your model must be built before you call Fit(). Model '{model.Name}' is unbuilt. " +
                "You can build it beforehand by calling it on a batch of data or giving it an input shape.");
        string source = $"backup '{path}'";
        using var scope = torch.NewDisposeScope();
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var file = SafeTensors.Read(fs, source);
        if (!file.Metadata.TryGetValue("format", out var fmt) || fmt != Format)
            throw new InvalidDataException($"{source}: not a Sharpkeras backup file (format '{fmt}').");
        int Meta(string key)
        {
            if (!file.Metadata.TryGetValue(key, out var s) || !int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                throw new InvalidDataException($"{source}: the metadata '{key}' is missing or not a non-negative integer.");
            return v;
        }
        int epoch = Meta("epoch"), step = Meta("step"), lastBatch = Meta("last_batch_seen"), sinceSave = Meta("batches_since_save");
        if (!file.Metadata.TryGetValue("shuffle_seed", out var seedText)
            || !long.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long shuffleSeed))
            throw new InvalidDataException($"{source}: the metadata 'shuffle_seed' is missing or not an integer.");
        var iteratorState = IteratorState
            ?? throw new InvalidOperationException("BackupAndRestore restores training inside Fit only (no data iterator is running).");

        var weights = new List<(string, Tensor)>();
        var opt = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var rng = new List<(string, Tensor)>();
        foreach (var (name, t) in file.Tensors)
        {
            if (name.StartsWith("model/", StringComparison.Ordinal)) weights.Add((name[6..], t));
            else if (name.StartsWith("optimizer/", StringComparison.Ordinal)) opt[name[10..]] = t;
            else if (name.StartsWith("rng/", StringComparison.Ordinal)) rng.Add((name[4..], t));
            else throw new InvalidDataException($"{source}: unexpected entry '{name}'.");
        }
        var map = WeightStore.Match(model, weights, source);
        Action? applyOpt = null;
        if (opt.Count > 0 && model.Optimizer is { } optimizer)
            applyOpt = OptimizerStateStore.Prepare(optimizer, model, opt, map, source);
        var applyRng = RngState.Prepare(model, rng, source, restoreLibrary: true);

        // Everything is valid: apply.
        WeightStore.Assign(map, weights);
        applyOpt?.Invoke();
        applyRng();
        iteratorState.ResumeAt(epoch, step, shuffleSeed);
        _currentEpoch = epoch;
        _lastBatchSeen = lastBatch;
        _batchesSeenSinceLastSaving = sinceSave;
    }

    // ------------------------------------------------------------------------------------ backup

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _currentEpoch = epoch;

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (ShouldSaveOnBatch(batch)) Backup(_currentEpoch, batch + 1);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _currentEpoch = epoch + 1;
        _lastBatchSeen = 0;
        if (_saveFreqBatches == null) Backup(epoch + 1, 0);
    }

    private bool ShouldSaveOnBatch(int batch)
    {
        if (_saveFreqBatches is not int freq) return false;
        int add = batch <= _lastBatchSeen ? batch + 1 : batch - _lastBatchSeen;
        _batchesSeenSinceLastSaving += add;
        _lastBatchSeen = batch;
        if (_batchesSeenSinceLastSaving < freq) return false;
        _batchesSeenSinceLastSaving = 0;
        return true;
    }

    /// <summary>Writes the backup: resume at <paramref name="epoch"/>, after <paramref name="step"/> of its batches.</summary>
    private void Backup(int epoch, int step)
    {
        var model = TheModel;
        using var scope = torch.NewDisposeScope();
        var tensors = WeightStore.Collect(model, "model/");
        if (model.Optimizer is { } opt) tensors.AddRange(OptimizerStateStore.Collect(opt, model, "optimizer/"));
        tensors.AddRange(RngState.Capture(model, "rng/"));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format, ["format_version"] = "1", ["library_version"] = Keras.Version,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture), ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["last_batch_seen"] = _lastBatchSeen.ToString(CultureInfo.InvariantCulture),
            ["batches_since_save"] = _batchesSeenSinceLastSaving.ToString(CultureInfo.InvariantCulture),
            ["shuffle_seed"] = (IteratorState?.ShuffleSeed ?? 0).ToString(CultureInfo.InvariantCulture),
        };
        Directory.CreateDirectory(BackupDir);
        if (DoubleCheckpoint && File.Exists(BackupPath))
            AtomicFile.Write(PreviousPath, s => { using var src = File.OpenRead(BackupPath); src.CopyTo(s); });
        AtomicFile.Write(BackupPath, s => SafeTensors.Write(s, tensors, metadata));
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (!DeleteCheckpoint) return;
        foreach (var f in new[] { BackupPath, PreviousPath })
            if (File.Exists(f)) File.Delete(f);
        if (Directory.Exists(BackupDir) && !Directory.EnumerateFileSystemEntries(BackupDir).Any())
            Directory.Delete(BackupDir);
    }
}
