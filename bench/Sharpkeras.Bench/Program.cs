using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sharpkeras;
using Sharpkeras.Bench;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

// Sharpkeras Fit against plain TorchSharp loops (same process, same kernels: oneDNN as Keras.Config.ConvolutionBackend
// leaves it, for both) and against PyTorch eager (Debian's python3-torch, when `import torch` works), on the same
// data, batch size, thread count and seed, interleaved A/B/C per repetition; medians of per-epoch seconds (first
// epoch of each repetition dropped as warm-up).
var opts = BenchOptions.Parse(args);
if (opts.ConvBackend != null) Keras.Config.ConvolutionBackend = opts.ConvBackend;
Keras.Config.IntraOpThreads = opts.Threads;
var device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
Keras.Config.Device = device;
if (opts.Child != null) return Child.Run(opts, device);
string heap = opts.KeepHeap ? Host.KeepHeap() : "allocator defaults (--malloc-default)";

// One Sharpkeras convolution first, so the backend is settled (and reported) before anything is timed.
using (var warm = new Conv2D(1, 3)) warm.Apply(torch.ones(2, 5, 5, 1)).Dispose();
var peer = opts.Peer ? Peer.Find() : null;
var report = new StringBuilder();
void Say(string s) { Console.WriteLine(s); report.AppendLine(s); }
string load0 = Host.LoadAverage();

Say("# Sharpkeras benchmark");
Say("");
Say($"Machine: {Environment.ProcessorCount} cores ({Host.CpuModel()}), {opts.Threads} torch threads, device {device.type}, " +
    $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, TorchSharp 0.107.0 (libtorch 2.10). " +
    $"CPU convolutions: {Keras.Config.ActiveConvolutionBackend} (Keras.Config.ConvolutionBackend = \"{Keras.Config.ConvolutionBackend}\"" +
    $"{(Keras.Config.ConvolutionSelfTestFailure is { } f ? $"; self-test failed: {f}" : "")}), the same for the raw TorchSharp loop in this process. " +
    $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset)"}; {heap}.");
Say($"PyTorch eager peer: {(peer == null ? "absent (`import torch` fails with the system Python, or --no-peer)" : peer.Description)}.");
Say($"Repetitions: {opts.Reps} per side, {opts.Epochs} epochs each (first dropped), after one untimed repetition of each side, Sharpkeras and raw alternating (ABBA); " +
    "s/epoch columns: medians of per-epoch seconds; Sharpkeras / raw: the median over repetitions of each repetition's ratio. " +
    $"Load average at start: {load0} (the machine is shared; timings swing with it).");
Say("");
Say("| model | data | batch | Sharpkeras s/epoch | raw TorchSharp s/epoch | PyTorch eager s/epoch | Sharpkeras / raw (≤ 1.00 target) | Sharpkeras / PyTorch |");
Say("|---|---|---|---|---|---|---|---|");

var tmp = Directory.CreateTempSubdirectory("sk-bench-").FullName;
try
{
    Tensor? mnistX = null, mnistY = null;
    (Tensor x, Tensor y) Mnist10k()
    {
        if (mnistX is null)
        {
            var ((x, y), _) = Mnist.LoadData();
            if (opts.MnistSamples is int m && m < x.shape[0]) { x = x[..m]; y = y[..m]; }
            mnistX = x.to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);   // N H W C
            mnistY = y.to(device);
        }
        return (mnistX, mnistY!);
    }

    if (opts.Models.Contains("lenet"))
    {
        var (xs, ys) = Mnist10k();
        string dir = Peer.WriteData(tmp, "mnist", xs, ys);
        var r = Ab(opts,
            () => Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
            () => Cases.RawEpochs(RawModels.LeNet, xs, ys, 128, opts.Epochs, binary: false, opts.Seed, device, prep: xb => xb.permute(0, 3, 1, 2)),
            peer == null ? null : () => peer.Run("lenet_cl", dir, opts.Epochs, 128, opts.Threads, opts.Seed));
        Say(Row("LeNet-5, channels_last", $"MNIST {xs.shape[0]}", 128, r));
        var xcf = xs.permute(0, 3, 1, 2).contiguous();
        r = Ab(opts,
            () => Cases.SharpkerasEpochs(Cases.LeNet("channels_first"), xcf, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
            () => Cases.RawEpochs(RawModels.LeNet, xcf, ys, 128, opts.Epochs, binary: false, opts.Seed, device),
            peer == null ? null : () => peer.Run("lenet_cf", dir, opts.Epochs, 128, opts.Threads, opts.Seed));
        Say(Row("LeNet-5, channels_first", $"MNIST {xs.shape[0]}", 128, r));
        xcf.Dispose();
    }
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
if (opts.Models.Contains("cifar"))
    {
        Keras.Config.Seed(opts.Seed);
        int n = opts.CifarSamples;
        using var xs = torch.rand(n, 32, 32, 3).to(device);
        using var ys = torch.randint(0, 10, [n], dtype: ScalarType.Int64).to(device);
        using var xr = xs.permute(0, 3, 1, 2).contiguous();
        string dir = Peer.WriteData(tmp, "cifar", xs, ys);
        var r = Ab(opts,
            () => Cases.SharpkerasEpochs(Cases.CifarCnn(), xs, ys, 64, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed, fromLogits: true),
            () => Cases.RawEpochs(RawModels.CifarCnn, xr, ys, 64, opts.Epochs, binary: false, opts.Seed, device),
            peer == null ? null : () => peer.Run("cifar", dir, opts.Epochs, 64, opts.Threads, opts.Seed));
        Say(Row("CIFAR CNN", $"synthetic 32×32×3 {n}", 64, r));
    }
    if (opts.Models.Contains("imdb"))
    {
        // Post-padded token sequences of lengths 20–100 (zeros are padding): Embedding(maskZero) + LSTM skips them;
        // the raw loop and PyTorch pack them (pack_padded_sequence).
        Keras.Config.Seed(opts.Seed);
        int n = opts.ImdbSamples;
        using var tokens = torch.randint(1, 10000, [n, 100], dtype: ScalarType.Int64);
        using var lengths = torch.randint(20, 101, [n, 1], dtype: ScalarType.Int64);
        using var keep = torch.arange(100).unsqueeze(0).lt(lengths);
        using var xs = tokens.mul(keep).to(device);
        using var ys = torch.randint(0, 2, [n], dtype: ScalarType.Int64).to(ScalarType.Float32).to(device);
        using var ys2 = ys.unsqueeze(-1);
        string dir = Peer.WriteData(tmp, "imdb", xs, ys);
        var r = Ab(opts,
            () => Cases.SharpkerasEpochs(Cases.ImdbLstm(maskZero: true), xs, ys2, 64, opts.Epochs, "binary_crossentropy", opts.Seed),
            () => Cases.RawEpochs(() => new RawModels.ImdbLstm(10000, masked: true), xs, ys, 64, opts.Epochs, binary: true, opts.Seed, device),
            peer == null ? null : () => peer.Run("imdb_masked", dir, opts.Epochs, 64, opts.Threads, opts.Seed));
        Say(Row("IMDB LSTM, masked", $"synthetic len 20–100, {n}", 64, r));
    }
    if (opts.Models.Contains("fashion"))
    {
        var folder = FashionMnist.InstalledFolder();
        if (folder == null)
            Say($"| LeNet-5, channels_last | Fashion-MNIST 60,000: not installed (apt-get install dataset-fashion-mnist) | 128 | – | – | – | – | – |");
        else
        {
            var ((fx, fy), _) = FashionMnist.LoadData();
            using var xs = fx.to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);
            using var ys = fy.to(device);
            string dir = Peer.WriteData(tmp, "fashion", xs, ys);
            // One repetition; with 2+ epochs the first is dropped, with 1 the single epoch (warm-up included) counts.
            int fe = opts.FashionEpochs;
            var one = new BenchOptions { Reps = 1, Epochs = fe, Warmup = false }; // 469 steps per epoch: the dropped first epoch is the warm-up
            List<double> Keep(List<double> v) => fe == 1 ? [0.0, .. v] : v;
            var r = Ab(one,
                () => Keep(Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, fe, "sparse_categorical_crossentropy", opts.Seed)),
                () => Keep(Cases.RawEpochs(RawModels.LeNet, xs, ys, 128, fe, binary: false, opts.Seed, device, prep: xb => xb.permute(0, 3, 1, 2))),
                peer == null ? null : () => Keep(peer.Run("lenet_cl", dir, fe, 128, opts.Threads, opts.Seed)));
            Say(Row($"LeNet-5, channels_last (1 rep, {(fe == 1 ? "1 epoch incl. warm-up" : fe == 2 ? "epoch 2" : $"epochs 2–{fe}")})", $"Fashion-MNIST {xs.shape[0]:N0}", 128, r));
        }
    }
    Say("");

    if (opts.Models.Contains("probe"))
    {
        var (xs, ys) = Mnist10k();
        Probe.Run(xs, ys, opts.Reps * 10, Say, "channels_last");
        Probe.Run(xs, ys, opts.Reps * 10, Say, "channels_first");
        OverheadProbe.Run(Say);
    }
    if (opts.Models.Contains("mixed")) MixedPrecision.Run(opts, device, Say);
    if (opts.Models.Contains("mixedops")) MixedPrecision.Ops(device, Say);

    if (opts.Models.Contains("feeding"))
    {
        var (xs, ys) = Mnist10k();
        var r = Ab(opts,
            () => Cases.SharpkerasEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, "sparse_categorical_crossentropy", opts.Seed),
            () => Cases.SharpkerasDatasetEpochs(Cases.LeNet(), xs, ys, 128, opts.Epochs, opts.Seed), null);
        Say("| feeding (LeNet-5) | Fit(x, y) s/epoch | Fit(Dataset.Shuffle.Batch.Prefetch) s/epoch | ratio (≤ 1.05 target) |");
        Say("|---|---|---|---|");
        Say($"| MNIST {xs.shape[0]} | {Med(r.a):F3} | {Med(r.b):F3} | {1 / Med(r.pairs):F2} |");
        Say("");
    }

    if (opts.Models.Contains("memory"))
    {
        // Each side in a fresh process of its own, so that peak RSS is that side's.
        Say($"| memory (LeNet-5, MNIST, {opts.MemoryEpochs} epochs, own process) | RSS after epoch 2 | RSS after epoch {opts.MemoryEpochs} | change (within ±5% target) | peak RSS | peak / raw peak (≤ 1.2 target) |");
        Say("|---|---|---|---|---|---|");
        var sides = new[] { ("raw TorchSharp", "memory-raw"), ("Sharpkeras Fit", "memory-sk") };
        var results = new Dictionary<string, ChildResult>();
        foreach (var (label, child) in sides)
            results[child] = Child.Spawn(opts, child, ["--memory-epochs", opts.MemoryEpochs.ToString(CultureInfo.InvariantCulture)]);
        double rawPeak = results["memory-raw"].PeakRss;
        foreach (var (label, child) in sides)
        {
            var m = results[child];
            double e2 = m.Rss[Math.Min(1, m.Rss.Count - 1)] / 1048576.0, eN = m.Rss[^1] / 1048576.0;
            Say($"| {label} | {e2:F1} MiB | {eN:F1} MiB | {(eN - e2) / e2 * 100:+0.0;-0.0}% | {m.PeakRss / 1048576.0:F1} MiB | {m.PeakRss / rawPeak:F2} |");
        }
        Say("");
    }

    if (opts.Models.Contains("load"))
    {
        // LeNet-5 (Sharpkeras Fit, 4,000 MNIST digits) in a fresh process, alone and next to busy processes
        // (one spinning shell per core), with libtorch's default OpenMP waiting, OMP_WAIT_POLICY=PASSIVE, and 1 thread.
        Say($"| contention (LeNet-5 Sharpkeras Fit, own process) | ms/step, median of epochs 2–{opts.Epochs} |");
        Say("|---|---|");
        var configs = new (string label, bool busy, string? wait, int threads)[]
        {
            ($"no added load, {opts.Threads} threads, default wait policy", false, null, opts.Threads),
            ($"{Environment.ProcessorCount} busy processes, {opts.Threads} threads, default wait policy", true, null, opts.Threads),
            ($"{Environment.ProcessorCount} busy processes, {opts.Threads} threads, OMP_WAIT_POLICY=PASSIVE", true, "PASSIVE", opts.Threads),
            ($"{Environment.ProcessorCount} busy processes, 1 thread (Keras.Config.IntraOpThreads = 1)", true, null, 1),
        };
        foreach (var (label, busy, wait, threads) in configs)
        {
            var hogs = busy ? Host.StartBusy(Environment.ProcessorCount) : [];
            try
            {
                var env = new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = wait };
                var m = Child.Spawn(opts, "load", ["--threads", threads.ToString(CultureInfo.InvariantCulture)], env);
                int steps = (4000 + 127) / 128;
                Say($"| {label} | {Med(m.Seconds.Skip(1).ToList()) * 1000 / steps:F1} |");
            }
            finally { Host.Stop(hogs); }
        }
        Say("");
    }
    Say($"Load average at the end: {Host.LoadAverage()}.");
}
finally
{
    try { Directory.Delete(tmp, true); } catch (IOException) { }
}

if (opts.Output != null)
{
    var dir = Path.GetDirectoryName(Path.GetFullPath(opts.Output))!;
    Directory.CreateDirectory(dir);
    var tmpOut = Path.Combine(dir, "." + Path.GetFileName(opts.Output) + ".tmp");
    File.WriteAllText(tmpOut, report.ToString());
    File.Move(tmpOut, opts.Output, overwrite: true);
    Console.WriteLine($"Wrote {opts.Output}");
}
return 0;

// Alternates A and B per repetition, A first on even repetitions and B first on odd ones (so neither side always
// runs right after the other's warm-up), and keeps each repetition's ratio of medians: on a shared machine the load
// drifts over seconds, and a ratio of neighbours cancels most of that drift.
static (List<double> a, List<double> b, List<double>? c, List<double> pairs) Ab(BenchOptions o, Func<List<double>> runA, Func<List<double>> runB, Func<List<double>>? runC)
{
    var a = new List<double>();
    var b = new List<double>();
    var pairs = new List<double>();
    var c = runC == null ? null : new List<double>();
    // One untimed repetition of each side first: .NET compiles methods in tiers (quick code first, optimised code after
    // some calls), and Sharpkeras runs far more managed code per step than the raw loop, so its first repetition in a
    // process would otherwise measure the compiler.
    if (o.Warmup)
    {
        runA();
        runB();
        GC.Collect();
    }
    for (int r = 0; r < o.Reps; r++)
    {
        List<double> ra, rb;
        if (r % 2 == 0) { ra = runA().Skip(1).ToList(); GC.Collect(); rb = runB().Skip(1).ToList(); }
        else { rb = runB().Skip(1).ToList(); GC.Collect(); ra = runA().Skip(1).ToList(); }
        GC.Collect();
        a.AddRange(ra);
        b.AddRange(rb);
        pairs.Add(Med(ra) / Med(rb));
        if (runC != null)
        {
            try { c!.AddRange(runC().Skip(1)); }
            catch (Exception e) when (e is InvalidOperationException or IOException or JsonException)
            {
                Console.Error.WriteLine($"PyTorch peer failed: {e.Message}");
                c = null;
                runC = null;
            }
        }
    }
    if (Environment.GetEnvironmentVariable("SK_BENCH_VERBOSE") == "1")
        Console.Error.WriteLine($"  A: {string.Join(" ", a.Select(v => v.ToString("F3")))}\n  B: {string.Join(" ", b.Select(v => v.ToString("F3")))}\n  A/B per repetition: {string.Join(" ", pairs.Select(v => v.ToString("F2")))}");
    return (a, b, c, pairs);
}

static double Med(List<double> v)
{
    var s = v.OrderBy(x => x).ToArray();
    return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static string Row(string model, string data, int batch, (List<double> a, List<double> b, List<double>? c, List<double> pairs) r)
{
    string peer = r.c is { Count: > 0 } c ? $"{Med(c):F3}" : "absent";
    string peerRatio = r.c is { Count: > 0 } c2 ? $"{Med(r.a) / Med(c2):F2}" : "–";
    return $"| {model} | {data} | {batch} | {Med(r.a):F3} | {Med(r.b):F3} | {peer} | {Med(r.pairs):F2} | {peerRatio} |";
}

internal sealed class BenchOptions
{
    public int Reps { get; set; } = 2;
    public int Epochs { get; set; } = 3;
    public int MemoryEpochs { get; set; } = 20;
    public int Threads { get; set; } = Environment.ProcessorCount;
    public int Seed { get; set; } = 1;
    public int CifarSamples { get; set; } = 1024;
    public int? MnistSamples { get; set; }
    public int FashionEpochs { get; set; } = 2;
    public int ImdbSamples { get; set; } = 1024;
    public bool Peer { get; set; } = true;
    public bool Warmup { get; set; } = true;
    public bool KeepHeap { get; set; } = true;
    public string? ConvBackend { get; set; }
    public string? Child { get; set; }
    public int MaskSteps { get; set; } = 30;
    public HashSet<string> Models { get; set; } = ["lenet", "cifar", "mixed", "imdb", "imdbmask", "fashion", "feeding", "memory", "load"];
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
                case "--mask-steps": o.MaskSteps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--mnist-samples": o.MnistSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fashion-epochs": o.FashionEpochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--cifar-samples": o.CifarSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--imdb-samples": o.ImdbSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--models": o.Models = Next().Split(',').ToHashSet(); break;
                case "--conv-backend": o.ConvBackend = Next(); break;
                case "--no-peer": o.Peer = false; break;
                case "--no-warmup": o.Warmup = false; break;
                case "--malloc-default": o.KeepHeap = false; break;
                case "--child": o.Child = Next(); break;
                case "--out": o.Output = Next(); break;
                case "--no-out": o.Output = null; break;
                default: throw new ArgumentException($"Unknown option {args[i]}");
            }
        }
        return o;
    }
}
