using System.Diagnostics;
using System.Globalization;
using Sharpkeras;
using Sharpkeras.Callbacks;
using Sharpkeras.Distribution;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

// Usage: Sharpkeras.MpiJob <mode> <outDir> [options]
//   train  : trains a small classifier (global batch 64) and writes result-rank{r}.txt (weights and History)
//            and the callbacks' files under callbacks-rank{r}/; --plain trains in one process without DataParallel.
//            --data tensors (default): Fit(x, y); dataset: Fit on a seeded shuffled Dataset batched by 64;
//            shard: DataParallel(autoShardDataset: false) and each rank's Dataset.Shard(worldSize, rank) batched by 64/worldSize;
//            batches: a list of global batches of 64, 64, 37, 11 and 1 samples (the last leaves rank 1 of 2 without samples).
//            --model mlp (default): Dense-tanh-Dense; bn: Dense-BatchNormalization(synchronized: true)-tanh-Dense;
//            bn-local: the same with synchronized: false.
//            --stop-rank R: a callback on rank R only (on the single process with --plain) stops training after batch 1.
//            Also writes Predict's output for 203 samples (batches 64, 64, 64, 11) and for 65 (64, 1) with batch 64.
//   die    : like train, but rank 1 kills itself (SIGKILL) during the second epoch.
//   hang   : like train, but rank 1 stops answering during the second epoch; the others' timeout is 15 s.
//   bench  : samples/s of a compute-bound MLP (--samples, --epochs), one thread per process; rank 0 prints it.
string mode = args.Length > 0 ? args[0] : "train";
string outDir = args.Length > 1 ? args[1] : "out";
bool plain = args.Contains("--plain");
Directory.CreateDirectory(outDir);
torch.set_num_threads(1);

DataParallel? dp = null;
if (!plain && mode == "bench")
{
    dp = DataParallel.Start(); // creates it and makes it the active distribution
}
else if (!plain)
{
    dp = new DataParallel(autoShardDataset: Arg(args, "--data", "tensors") != "shard", timeoutSeconds: mode == "hang" ? 15 : 300);
    Keras.Distribution.SetDistribution(dp); // the one line a user adds (or: using var dp = DataParallel.Start();)
}
try
{
    int rank = dp?.Rank ?? 0;
    if (mode == "bench") return Bench(dp, args);
    return Train(mode, outDir, rank, dp, Arg(args, "--data", "tensors"), Arg(args, "--model", "mlp"),
        int.Parse(Arg(args, "--stop-rank", "-1"), CultureInfo.InvariantCulture), plain);
}
finally
{
    dp?.Dispose();
}

static int Train(string mode, string outDir, int rank, DataParallel? dp, string data, string modelKind, int stopRank, bool plain)
{
    // Rank 1 starts from a different seed on purpose: the chief's weights and data order must win.
    Keras.Config.Seed(rank == 0 ? 7 : 1234);
    using var g = new Generator(99);
    long n = 203; // batches 64, 64, 64, 11: the last global batch splits 6 / 5
    var x = torch.randn([n, 8], generator: g);
    var w = torch.randn([8, 3], generator: g);
    var y = x.matmul(w).argmax(-1);
    var xVal = torch.randn([50, 8], generator: g);
    var yVal = xVal.matmul(w).argmax(-1);

    var model = modelKind == "mlp"
        ? new RowCountingSequential(
            new Dense(16, activation: "tanh", inputShape: [8]),
            new Dense(3, activation: "softmax"))
        : new RowCountingSequential(
            new Dense(16, useBias: false, inputShape: [8]), // a bias before BatchNormalization has no gradient (only noise)
            new BatchNormalization(momentum: 0.5, synchronized: modelKind == "bn"),
            new Activation("tanh"),
            new Dense(3, activation: "softmax"));
    model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);

    string cb = Path.Combine(outDir, $"callbacks-rank{rank}");
    var callbacks = new List<Callback>
    {
        new ModelCheckpoint(Path.Combine(cb, "ckpt.skeras"), monitor: "val_loss"),
        new CSVLogger(Path.Combine(cb, "log.csv")),
        new TensorBoard(Path.Combine(cb, "tb")),
        new BackupAndRestore(Path.Combine(cb, "backup"), deleteCheckpoint: false),
        new EarlyStopping(monitor: "val_loss", patience: 50),
    };
    if (mode is "die" or "hang" && rank == 1)
        callbacks.Add(new LambdaCallback(onTrainBatchEnd: (_, _) =>
        {
            if (!DieNow()) return;
            Console.Error.WriteLine($"MpiJob: rank 1 {(mode == "die" ? "kills itself" : "stops answering")} now.");
            Console.Error.Flush();
            if (mode == "die") Process.GetCurrentProcess().Kill();
            else Thread.Sleep(Timeout.Infinite);
        }));

    if (stopRank >= 0 && (rank == stopRank || plain))
        callbacks.Add(new LambdaCallback(onTrainBatchEnd: (batch, _) => { if (batch == 1) model.StopTraining = true; }));

    History history;
    if (data == "batches")
    {
        // Global batches of uneven sizes: 64 (32/32), 37 (19/18), 11 (6/5) and 1 (1/0: rank 1 has no samples).
        var batches = new List<Tensor[]>();
        long at = 0;
        foreach (long size in new long[] { 64, 64, 37, 11, 1 })
        {
            batches.Add([x.narrow(0, at, size), y.narrow(0, at, size)]);
            at += size;
        }
        var val = new List<Tensor[]> { new[] { xVal, yVal } };
        history = model.Fit(batches, epochs: 3, verbose: 2, validationData: val, callbacks: callbacks);
    }
    else if (data == "tensors")
        history = model.Fit(x, y, batchSize: 64, epochs: 3, verbose: 2, validationData: (xVal, yVal), callbacks: callbacks);
    else
    {
        int world = dp?.WorldSize ?? 1;
        var ds = Sharpkeras.Data.Dataset.FromTensorSlices(x, y).Shuffle(256, seed: 3);
        ds = data == "shard" ? ds.Shard(world, rank).Batch(64 / world) : ds.Batch(64);
        var val = Sharpkeras.Data.Dataset.FromTensorSlices(xVal, yVal).Batch(64);
        history = model.Fit(ds, epochs: 3, verbose: 2, validationData: val, callbacks: callbacks);
    }
    var scores = model.Evaluate(xVal, yVal, batchSize: 64, verbose: 0);
    var predicted = model.Predict(x, batchSize: 64, verbose: 0);          // global batches 64, 64, 64, 11
    var predictedSmall = model.Predict(x.narrow(0, 0, 65), batchSize: 64, verbose: 0); // 64, 1: rank 1's last slice is empty

    using var file = new StreamWriter(Path.Combine(outDir, $"result-rank{rank}.txt"));
    file.WriteLine($"world {dp?.WorldSize ?? 1}");
    foreach (var (k, v) in history.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        file.WriteLine($"history {k} {string.Join(' ', v.Select(d => d.ToString("R", CultureInfo.InvariantCulture)))}");
    foreach (var (k, v) in scores.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        file.WriteLine($"evaluate {k} {v.ToString("R", CultureInfo.InvariantCulture)}");
    file.WriteLine($"iterations count {model.Optimizer!.Iterations}");
    file.WriteLine($"predict all {Values(predicted)}");
    file.WriteLine($"predict small {Values(predictedSmall)}");
    file.WriteLine($"local predict_rows {model.PredictedRows}"); // this rank's share: differs between ranks
    int i = 0;
    foreach (var t in model.GetWeights())
        file.WriteLine($"weight {i++} {string.Join(' ', t.to(ScalarType.Float32).reshape(-1).data<float>().ToArray().Select(f => f.ToString("R", CultureInfo.InvariantCulture)))}");
    return 0;
}

static string Values(Tensor t) =>
    string.Join(' ', t.to(ScalarType.Float32).reshape(-1).data<float>().ToArray().Select(f => f.ToString("R", CultureInfo.InvariantCulture)));

// The sixth training batch of the run: batch 1 of the second epoch (4 batches per epoch).
static bool DieNow() => ++_calls == 6;

static int Bench(DataParallel? dp, string[] args)
{
    int samples = int.Parse(Arg(args, "--samples", "4096"), CultureInfo.InvariantCulture);
    int epochs = int.Parse(Arg(args, "--epochs", "3"), CultureInfo.InvariantCulture);
    int width = int.Parse(Arg(args, "--width", "512"), CultureInfo.InvariantCulture);
    Keras.Config.Seed(1);
    var x = torch.randn([samples, 256]);
    var y = torch.randint(0, 10, [samples]);
    var model = new Sequential(
        new Dense(width, activation: "relu", inputShape: [256]),
        new Dense(width, activation: "relu"),
        new Dense(width, activation: "relu"),
        new Dense(10));
    model.Compile(optimizer: "sgd", loss: new Sharpkeras.Losses.SparseCategoricalCrossentropy(fromLogits: true));
    var times = new List<double>();
    var syncAtEpochStart = TimeSpan.Zero;
    var syncPerEpoch = new List<double>();
    var cb = new LambdaCallback(
        onEpochBegin: (_, _) => { times.Add(Stopwatch.GetTimestamp()); syncAtEpochStart = dp?.GradientSyncTime ?? TimeSpan.Zero; },
        onEpochEnd: (_, _) =>
        {
            times[^1] = Stopwatch.GetElapsedTime((long)times[^1]).TotalSeconds;
            syncPerEpoch.Add(((dp?.GradientSyncTime ?? TimeSpan.Zero) - syncAtEpochStart).TotalSeconds);
        });
    model.Fit(x, y, batchSize: 256, epochs: epochs, verbose: 0, callbacks: [cb]);
    // The per-step agreement on StopTraining Fit makes under a distribution: one all-reduce of one value.
    const int checks = 200;
    long started = Stopwatch.GetTimestamp();
    for (int i = 0; i < checks; i++) dp?.AnyRank(false);
    double stopCheckUs = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1000 / checks;
    if ((dp?.Rank ?? 0) == 0)
    {
        var steady = times.Skip(1).DefaultIfEmpty(times[0]).Average(); // the first epoch includes warm-up
        var sync = syncPerEpoch.Skip(1).DefaultIfEmpty(syncPerEpoch[0]).Average();
        Console.WriteLine(FormattableString.Invariant(
            $"BENCH processes={dp?.WorldSize ?? 1} params={model.CountParams()} samples_per_s={samples / steady:F0} epoch_s={steady:F3} grad_sync_s={sync:F3} stop_check_us={(dp is null ? 0 : stopCheckUs):F1} steps_per_epoch={(samples + 255) / 256}"));
    }
    return 0;
}

static string Arg(string[] args, string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

public partial class Program
{
    private static int _calls;
}

/// <summary>A Sequential that counts the samples its own PredictStep calls see (to show that Predict is sharded).</summary>
internal sealed class RowCountingSequential(params Layer[] layers) : Sequential(layers)
{
    public long PredictedRows { get; private set; }

    public override Tensor[] PredictStep(Tensor[] data)
    {
        PredictedRows += data[0].shape[0];
        return base.PredictStep(data);
    }
}
