using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sharpkeras;
using Sharpkeras.Bench;
using Sharpkeras.Callbacks;
using Sharpkeras.Data;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

// Sharpkeras Fit against plain TorchSharp loops on the same data, batch size, thread count and seed,
// interleaved A/B/A/B; median seconds per epoch (first epoch of each repetition dropped as warm-up).
var opts = BenchOptions.Parse(args);
torch.set_num_threads(opts.Threads);
var device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
Keras.Config.Device = device;
var report = new StringBuilder();
void Say(string s) { Console.WriteLine(s); report.AppendLine(s); }

Say($"# Sharpkeras benchmark");
Say("");
Say($"Machine: {Environment.ProcessorCount} cores, {opts.Threads} torch threads, device {device.type}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp 0.107.0 (libtorch 2.10).");
Say($"Repetitions: {opts.Reps} per side, {opts.Epochs} epochs each (first dropped); medians of per-epoch seconds.");
Say("");
Say("| model | data | batch | Sharpkeras s/epoch | raw TorchSharp s/epoch | ratio (≤ 1.00 is the target) |");
Say("|---|---|---|---|---|---|");

var rows = new List<string>();
if (opts.Models.Contains("lenet"))
{
    var ((x, y), _) = Mnist.LoadData();
    var xs = x.to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);   // NHWC for Sharpkeras
    var xr = xs.permute(0, 3, 1, 2).contiguous();                           // NCHW for the raw loop
    var ys = y.to(device);
    var (a, b) = Ab(opts,
        () => Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
        () => Cases.RawEpochs(RawModels.LeNet, xr, ys, 128, opts.Epochs, binary: false, opts.Seed, device));
    Say(Row("LeNet-5", $"MNIST-10k {x.shape[0]}", 128, a, b));
}
if (opts.Models.Contains("cifar"))
{
    Keras.Config.Seed(opts.Seed);
    int n = opts.CifarSamples;
    var xs = torch.rand(n, 32, 32, 3).to(device);
    var ys = torch.randint(0, 10, [n], dtype: ScalarType.Int64).to(device);
    var xr = xs.permute(0, 3, 1, 2).contiguous();
    var (a, b) = Ab(opts,
        () => Cases.SharpkerasEpochs(Cases.CifarCnn(), xs, ys, 64, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed, fromLogits: true),
        () => Cases.RawEpochs(RawModels.CifarCnn, xr, ys, 64, opts.Epochs, binary: false, opts.Seed, device));
    Say(Row("CIFAR CNN", $"synthetic 32×32×3 {n}", 64, a, b));
}
if (opts.Models.Contains("imdb"))
{
    Keras.Config.Seed(opts.Seed);
    int n = opts.ImdbSamples;
    var xs = torch.randint(1, 10000, [n, 100], dtype: ScalarType.Int64).to(device);
    var ys = torch.randint(0, 2, [n], dtype: ScalarType.Int64).to(ScalarType.Float32).to(device);
    var (a, b) = Ab(opts,
        () => Cases.SharpkerasEpochs(Cases.ImdbLstm(maskZero: false), xs, ys.unsqueeze(-1), 64, opts.Epochs, "binary_crossentropy", opts.Seed),
        () => Cases.RawEpochs(() => new RawModels.ImdbLstm(10000), xs, ys, 64, opts.Epochs, binary: true, opts.Seed, device));
    Say(Row("IMDB LSTM", $"synthetic len 100, {n}", 64, a, b));
}
Say("");

if (opts.Models.Contains("imdbmask"))
{
    // Embedding(maskZero) → LSTM(64) → Dense on zero-padded sequences (lengths 20..100, batch 64), against the same
    // model and data without the mask: what masking costs. Right padding (Keras pad_sequences(padding="post")) and
    // left padding (its default "pre"). One training step of each model in turn (TrainOnBatch), so both see the same
    // machine load; medians of the per-step times after 3 warm-up steps.
    Say("| masked LSTM (IMDB model, synthetic len ≤ 100, batch 64) | padding | unmasked ms/step | masked ms/step | ratio (≤ 1.30 is the target) |");
    Say("|---|---|---|---|---|");
    foreach (var pre in new[] { false, true })
    {
        Keras.Config.Seed(opts.Seed);
        int steps = opts.MaskSteps;
        var ids = torch.randint(1, 10000, [64 * steps, 100], dtype: ScalarType.Int64);
        var lengths = torch.randint(20, 101, [64 * steps, 1], dtype: ScalarType.Int64);
        var t = torch.arange(100, dtype: ScalarType.Int64).unsqueeze(0);
        var valid = pre ? t.ge(100 - lengths) : t.lt(lengths);
        var xs = torch.where(valid, ids, torch.zeros_like(ids)).to(device);
        var ys = torch.randint(0, 2, [64 * steps, 1], dtype: ScalarType.Int64).to(ScalarType.Float32).to(device);
        var plain = Cases.ImdbLstm(maskZero: false);
        var masked = Cases.ImdbLstm(maskZero: true);
        foreach (var m in new[] { plain, masked }) m.Compile(optimizer: "rmsprop", loss: "binary_crossentropy");
        var a = new List<double>();
        var b = new List<double>();
        var sw = new Stopwatch();
        for (int i = 0; i < steps + 3; i++)
        {
            int k = i % steps;
            var xb = xs[(64 * k)..(64 * k + 64)];
            var yb = ys[(64 * k)..(64 * k + 64)];
            sw.Restart();
            plain.TrainOnBatch(xb, yb);
            if (i >= 3) a.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            masked.TrainOnBatch(xb, yb);
            if (i >= 3) b.Add(sw.Elapsed.TotalMilliseconds);
        }
        Say($"| {steps} steps | {(pre ? "left (pre)" : "right (post)")} | {Med(a):F1} | {Med(b):F1} | {Med(b) / Med(a):F2} |");
    }
    Say("");
}

if (opts.Models.Contains("lenet"))
{
    var ((x, y), _) = Mnist.LoadData();
    var xs = x.to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);
    var ys = y.to(device);
    // Fit(x, y) against Fit(Dataset … Prefetch)
    var (a, b) = Ab(opts,
        () => Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
        () => Cases.SharpkerasDatasetEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, opts.Seed));
    Say("| feeding (LeNet-5) | Fit(x, y) s/epoch | Fit(Dataset.Shuffle.Batch.Prefetch) s/epoch | ratio |");
    Say("|---|---|---|---|");
    Say($"| MNIST-10k | {Med(a):F3} | {Med(b):F3} | {Med(b) / Med(a):F2} |");
    Say("");
    // channels_last (default) against channels_first
    var xcf = xs.permute(0, 3, 1, 2).contiguous();
    var (c, d) = Ab(opts,
        () => Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
        () => Cases.SharpkerasEpochs(Cases.LeNet("channels_first"), xcf, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed));
    Say("| layout (LeNet-5) | channels_last s/epoch | channels_first s/epoch | ratio |");
    Say("|---|---|---|---|");
    Say($"| MNIST-10k | {Med(c):F3} | {Med(d):F3} | {Med(c) / Med(d):F2} |");
    Say("");
    // memory over 20 epochs
    var mem = Cases.MemoryRun(Cases.LeNet(), xs, ys, 128, opts.MemoryEpochs, opts.Seed);
    double e2 = mem.rss[1] / 1048576.0, eN = mem.rss[^1] / 1048576.0;
    Say($"| memory (LeNet-5, Sharpkeras Fit) | RSS after epoch 2 | RSS after epoch {opts.MemoryEpochs} | change | peak RSS |");
    Say("|---|---|---|---|---|");
    Say($"| MNIST-10k | {e2:F1} MiB | {eN:F1} MiB | {(eN - e2) / e2 * 100:+0.0;-0.0}% (target within ±5%) | {mem.peak / 1048576.0:F1} MiB |");
}

if (opts.Output != null)
{
    var dir = Path.GetDirectoryName(Path.GetFullPath(opts.Output))!;
    Directory.CreateDirectory(dir);
    var tmp = Path.Combine(dir, "." + Path.GetFileName(opts.Output) + ".tmp");
    File.WriteAllText(tmp, report.ToString());
    File.Move(tmp, opts.Output, overwrite: true);
    Console.WriteLine($"Wrote {opts.Output}");
}
return 0;

static (List<double> a, List<double> b) Ab(BenchOptions o, Func<List<double>> runA, Func<List<double>> runB)
{
    var a = new List<double>();
    var b = new List<double>();
    for (int r = 0; r < o.Reps; r++)
    {
        a.AddRange(runA().Skip(1));
        b.AddRange(runB().Skip(1));
        GC.Collect();
    }
    return (a, b);
}

static double Med(List<double> v)
{
    var s = v.OrderBy(x => x).ToArray();
    return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static string Row(string model, string data, int batch, List<double> a, List<double> b) =>
    $"| {model} | {data} | {batch} | {Med(a):F3} | {Med(b):F3} | {Med(a) / Med(b):F2} |";

internal sealed class BenchOptions
{
    public int Reps { get; set; } = 3;
    public int Epochs { get; set; } = 3;
    public int MemoryEpochs { get; set; } = 20;
    public int Threads { get; set; } = Environment.ProcessorCount;
    public int Seed { get; set; } = 1;
    public int CifarSamples { get; set; } = 2048;
    public int ImdbSamples { get; set; } = 2048;
    public int MaskSteps { get; set; } = 30;
    public HashSet<string> Models { get; set; } = ["lenet", "cifar", "imdb", "imdbmask"];
    public string? Output { get; set; } = "bench/results.md";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--reps": o.Reps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--epochs": o.Epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--memory-epochs": o.MemoryEpochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": o.Threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": o.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--cifar-samples": o.CifarSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--imdb-samples": o.ImdbSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--mask-steps": o.MaskSteps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--models": o.Models = Next().Split(',').ToHashSet(); break;
                case "--out": o.Output = Next(); break;
                case "--no-out": o.Output = null; break;
                default: throw new ArgumentException($"Unknown option {args[i]}");
            }
        }
        return o;
    }
}
