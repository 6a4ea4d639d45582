using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Writes TensorBoard event files (Keras's <c>keras.callbacks.TensorBoard</c>) with TorchSharp's
/// <c>torch.utils.tensorboard.SummaryWriter</c>: under <c>logDir/train</c> the scalars "epoch_&lt;name&gt;" (the
/// training logs and "epoch_learning_rate") at step = epoch, "batch_&lt;name&gt;" every <c>updateFreq</c> batches when it is
/// an integer (step = global batch count, from 1), and weight histograms "&lt;layer&gt;/&lt;weight&gt;/histogram" every
/// <c>histogramFreq</c> epochs; under <c>logDir/validation</c> "epoch_&lt;name&gt;" for the "val_*" logs (prefix removed)
/// and "evaluation_&lt;name&gt;_vs_iterations" at step = optimizer iterations.
/// </summary>
public sealed class TensorBoard : Callback
{
    private SummaryWriter? _trainWriter, _valWriter;
    private int _globalTrainBatch;
    private readonly int? _batchFreq;

    /// <summary>Creates the callback.</summary>
    /// <param name="logDir">Directory of the event files (default "logs").</param>
    /// <param name="histogramFreq">Epochs between weight histograms (0: none).</param>
    /// <param name="writeGraph">Accepted for Keras compatibility; the graph is not written.</param>
    /// <param name="updateFreq">"epoch" (default, or null), "batch" (= 1), or a positive number of batches between batch-level scalars.</param>
    public TensorBoard(string logDir = "logs", int histogramFreq = 0, bool writeGraph = true, object? updateFreq = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDir);
        if (histogramFreq < 0) throw new ArgumentOutOfRangeException(nameof(histogramFreq), histogramFreq, "histogramFreq must be >= 0.");
        _batchFreq = updateFreq switch
        {
            null or "epoch" => null,
            "batch" => 1,
            int n when n > 0 => n,
            long n when n is > 0 and <= int.MaxValue => (int)n,
            _ => throw new ArgumentException($"updateFreq must be \"epoch\", \"batch\" or a positive integer; got {updateFreq}.", nameof(updateFreq)),
        };
        LogDir = logDir;
        HistogramFreq = histogramFreq;
        WriteGraph = writeGraph;
    }

    /// <summary>Directory of the event files.</summary>
    public string LogDir { get; }
    /// <summary>Epochs between weight histograms (0: none).</summary>
    public int HistogramFreq { get; }
    /// <summary>Accepted for Keras compatibility (no graph is written).</summary>
    public bool WriteGraph { get; }
    /// <summary>"epoch" or the number of batches between batch-level scalars.</summary>
    public object UpdateFreq => _batchFreq is int n ? n : "epoch";

    private SummaryWriter TrainWriter => _trainWriter ??= torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "train"));
    private SummaryWriter ValWriter => _valWriter ??= torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "validation"));

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _globalTrainBatch = 0;
        _trainWriter = null;
        _valWriter = null;
        _ = TrainWriter;
    }

    /// <inheritdoc />
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => _globalTrainBatch++;

    /// <inheritdoc />
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (_batchFreq is not int freq || _globalTrainBatch % freq != 0 || logs == null) return;
        foreach (var (name, value) in logs) TrainWriter.add_scalar($"batch_{name}", (float)value, _globalTrainBatch);
    }

    /// <inheritdoc />
    public override void OnTestEnd(IDictionary<string, double> logs)
    {
        if (Model?.Optimizer is not { } optimizer || logs == null) return;
        int step = (int)Math.Min(optimizer.Iterations, int.MaxValue);
        foreach (var (name, value) in logs) ValWriter.add_scalar($"evaluation_{name}_vs_iterations", (float)value, step);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (logs != null && logs.Count > 0)
        {
            var train = logs.Where(kv => !kv.Key.StartsWith("val_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
            if (Model?.Optimizer is { } optimizer) train["learning_rate"] = optimizer.LearningRate;
            foreach (var (name, value) in train) TrainWriter.add_scalar($"epoch_{name}", (float)value, epoch);
            foreach (var (name, value) in logs.Where(kv => kv.Key.StartsWith("val_", StringComparison.Ordinal)))
                ValWriter.add_scalar($"epoch_{name[4..]}", (float)value, epoch);
        }
        if (HistogramFreq > 0 && epoch % HistogramFreq == 0) LogWeights(epoch);
    }

    private void LogWeights(int epoch)
    {
        if (Model == null) return;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        foreach (var layer in Model.Layers)
            foreach (var weight in layer.Variables)
            {
                if (weight.Value.numel() == 0) continue;
                TrainWriter.add_histogram($"{weight.Path.Replace(":", "_", StringComparison.Ordinal)}/histogram", weight.Value.detach().cpu(), epoch);
            }
    }
}
