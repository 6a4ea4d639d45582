using System.Diagnostics;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>
/// Mixed precision (<c>Keras.Config.SetDTypePolicy("mixed_bfloat16")</c>) against float32: LeNet-5 on MNIST and the CIFAR
/// CNN on learnable synthetic images, the same model, data, seed and batches, interleaved per repetition, medians of
/// per-epoch seconds (the first epoch of each run dropped), and the held-out accuracy of each. As a control, the same
/// pair of plain TorchSharp loops — float32, and the whole model cast to bfloat16 — shows what libtorch's kernels
/// themselves gain or lose in bfloat16 on this CPU.
/// </summary>
internal static class MixedPrecision
{
    public static void Run(BenchOptions opts, Device device, Action<string> say)
    {
        say("| mixed precision (Sharpkeras Fit, Adam) | data | batch | float32 s/epoch | mixed_bfloat16 s/epoch | mixed / float32 | raw TorchSharp bfloat16 / float32 | float32 test accuracy | mixed_bfloat16 test accuracy |");
        say("|---|---|---|---|---|---|---|---|---|");

        var ((mx, my), (tx, ty)) = Mnist.LoadData();
        int n = opts.MnistSamples is int m && m < mx.shape[0] ? m : (int)mx.shape[0];
        using var xs = mx[..n].to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);
        using var ys = my[..n].to(device);
        int nt = Math.Min(2000, (int)tx.shape[0]);
        using var xt = tx[..nt].to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);
        using var yt = ty[..nt].to(device);
        say(Row("LeNet-5 (float32 softmax output)", $"MNIST {n} (test {nt})", 128,
            Compare(opts, () => LeNet(), xs, ys, xt, yt, 128, fromLogits: false,
                RawModels.LeNet, xb => xb.permute(0, 3, 1, 2), device)));

        int nc = opts.CifarSamples;
        var (cx, cy) = Gratings(nc, seed: opts.Seed, device);
        var (cxt, cyt) = Gratings(Math.Max(nc / 4, 64), seed: opts.Seed + 1000, device);
        string data = $"synthetic gratings 32×32×3 {nc} (test {cxt.shape[0]})";
        say(Row("CIFAR CNN (logits, float32 loss)", data, 64,
            Compare(opts, () => CifarCnn(firstConvFloat32: false), cx, cy, cxt, cyt, 64, fromLogits: true,
                RawModels.CifarCnn, xb => xb.permute(0, 3, 1, 2), device)));
        say(Row("CIFAR CNN, first Conv2D with dtype policy \"float32\"", data, 64,
            Compare(opts, () => CifarCnn(firstConvFloat32: true), cx, cy, cxt, cyt, 64, fromLogits: true,
                RawModels.CifarCnn, xb => xb.permute(0, 3, 1, 2), device, runRaw: false)));
        foreach (var t in new[] { cx, cy, cxt, cyt }) t.Dispose();
        say("");
    }

    /// <summary>
    /// Where the time goes: forward + backward of each CIFAR-CNN and LeNet-5 operation alone (plain TorchSharp, batch 64),
    /// float32 against bfloat16, in the channels_last layout the layers hand to libtorch and in contiguous NCHW; medians of
    /// 15 runs after 3 warm-ups.
    /// </summary>
    public static void Ops(Device device, Action<string> say)
    {
        say("| libtorch op, forward + backward, batch 64 | channels_last float32 ms | channels_last bfloat16 ms | ratio | contiguous NCHW float32 ms | NCHW bfloat16 ms | ratio |");
        say("|---|---|---|---|---|---|---|");
        // (name, input N C H W, whether the input needs a gradient (not for the first layer), op, weight shapes)
        Tensor Conv(Tensor x, Tensor[] w, long pad = 0) => nn.functional.conv2d(x, w[0], w[1], padding: [pad, pad]);
        var cases = new (string name, long[] input, bool inputGrad, Func<Tensor, Tensor[], Tensor> op, long[][] weights)[]
        {
            ("conv2d 3→32, 3×3, 32×32 (CIFAR, first layer)", [64, 3, 32, 32], false, (x, w) => Conv(x, w), [[32, 3, 3, 3], [32]]),
            ("conv2d 32→64, 3×3, 15×15 (CIFAR)", [64, 32, 15, 15], true, (x, w) => Conv(x, w), [[64, 32, 3, 3], [64]]),
            ("conv2d 64→128, 3×3, 6×6 (CIFAR)", [64, 64, 6, 6], true, (x, w) => Conv(x, w), [[128, 64, 3, 3], [128]]),
            ("conv2d 1→6, 5×5 same, 28×28 (LeNet, first layer)", [64, 1, 28, 28], false, (x, w) => Conv(x, w, 2), [[6, 1, 5, 5], [6]]),
            ("conv2d 6→16, 5×5, 14×14 (LeNet)", [64, 6, 14, 14], true, (x, w) => Conv(x, w), [[16, 6, 5, 5], [16]]),
            ("batch_norm (training) 32 ch, 30×30", [64, 32, 30, 30], true, (x, w) => nn.functional.batch_norm(x, torch.zeros(32, dtype: x.dtype, device: x.device),
                torch.ones(32, dtype: x.dtype, device: x.device), w[0], w[1], true, 0.01, 1e-3), [[32], [32]]),
            ("relu 32 ch, 30×30", [64, 32, 30, 30], true, (x, w) => x.relu(), []),
            ("max_pool2d 2×2, 32 ch, 30×30", [64, 32, 30, 30], true, (x, w) => nn.functional.max_pool2d(x, 2), []),
            ("linear 400→120 (LeNet)", [64, 400], true, (x, w) => nn.functional.linear(x, w[0], w[1]), [[120, 400], [120]]),
        };
        foreach (var (name, shape, inputGrad, op, weights) in cases)
        {
            (double median, double min) Time(ScalarType t, bool channelsLast)
            {
                var times = new List<double>();
                for (int i = 0; i < 18; i++)
                {
                    using var scope = torch.NewDisposeScope();
                    // channels_last: N H W C storage seen as N C H W, as the layers hand it to libtorch.
                    var x = shape.Length == 4 && channelsLast
                        ? torch.rand([shape[0], shape[2], shape[3], shape[1]], device: device).to(t).permute(0, 3, 1, 2)
                        : torch.rand(shape, device: device).to(t);
                    if (inputGrad) x.requires_grad = true;
                    var ws = weights.Select(s => { var p = torch.rand(s, device: device).to(t); p.requires_grad = true; return p; }).ToArray();
                    var sw = Stopwatch.StartNew();
                    var y = op(x, ws);
                    sw.Stop();
                    var gy = torch.rand_like(y); // a real gradient (a plain sum() would hand back a stride-0 one)
                    sw.Start();
                    y.backward([gy]);            // synchronous on the CPU
                    if (i >= 3) times.Add(sw.Elapsed.TotalMilliseconds);
                }
                if (Environment.GetEnvironmentVariable("SK_BENCH_VERBOSE") == "1")
                    Console.Error.WriteLine($"{name} {t} {(channelsLast ? "NHWC" : "NCHW")}: {string.Join(" ", times.Select(v => v.ToString("F1")))}");
                return (Med(times), times.Min());
            }
            var (f, _) = Time(ScalarType.Float32, true);
            var (b, _) = Time(ScalarType.BFloat16, true);
            if (shape.Length == 4)
            {
                var (fc, _) = Time(ScalarType.Float32, false);
                var (bc, _) = Time(ScalarType.BFloat16, false);
                say($"| {name} | {f:F2} | {b:F2} | {b / f:F2} | {fc:F2} | {bc:F2} | {bc / fc:F2} |");
            }
            else say($"| {name} | {f:F2} | {b:F2} | {b / f:F2} | – | – | – |");
        }
        say("");
    }

    /// <summary>
    /// The CIFAR CNN of the other rows; <paramref name="firstConvFloat32"/> gives its first convolution (3 input channels)
    /// the "float32" policy, the workaround for libtorch's slow bfloat16 weight gradient there (see docs/performance.md).
    /// </summary>
    private static Model CifarCnn(bool firstConvFloat32)
    {
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var x = inputs;
        foreach (var f in new[] { 32, 64, 128 })
        {
            var conv = new Conv2D(f, kernelSize: 3);
            if (f == 32 && firstConvFloat32) conv.DTypePolicy = "float32";
            x = conv.Apply(x);
            x = new BatchNormalization().Apply(x);
            x = new Activation("relu").Apply(x);
            if (f != 128) x = new MaxPooling2D(2).Apply(x);
        }
        x = new GlobalAveragePooling2D().Apply(x);
        return new Model(inputs, new Dense(10).Apply(x), name: "cifar_cnn");
    }

    /// <summary>LeNet-5 as in the other rows, with Keras's advice for mixed precision: the softmax as a float32 layer.</summary>
    private static Model LeNet()
    {
        var layers = Cases.LeNetLayers();
        layers[^1] = new Dense(10);
        return new Sequential([.. layers, new Activation("softmax", dtype: "float32")]);
    }

    /// <summary>
    /// Ten classes of 32×32×3 images: oriented sine gratings (5 orientations × 2 frequencies, amplitude 0.35, a random
    /// phase, a per-class colour tilt) under uniform noise — learnable by a small CNN in a few epochs, unlike random labels.
    /// </summary>
    private static (Tensor x, Tensor y) Gratings(int count, int seed, Device device)
    {
        using var g = new torch.Generator((ulong)seed, torch.CPU);
        var y = torch.randint(0, 10, new long[] { count }, dtype: ScalarType.Int64, generator: g);
        var angle = (y % 5).to(ScalarType.Float32) * (MathF.PI / 5);
        var freq = torch.where(y.lt(5), torch.tensor(0.15f), torch.tensor(0.3f));
        var phase = torch.rand(new long[] { count }, generator: g) * (2 * MathF.PI);
        var coords = torch.arange(32, dtype: ScalarType.Float32);
        var yy = coords.view(1, 32, 1);
        var xx = coords.view(1, 1, 32);
        var proj = xx * angle.cos().view(-1, 1, 1) + yy * angle.sin().view(-1, 1, 1);
        var wave = (proj * freq.view(-1, 1, 1) * (2 * MathF.PI) + phase.view(-1, 1, 1)).sin() * 0.35f;
        var tint = torch.stack([(y % 3).to(ScalarType.Float32), ((y + 1) % 3).to(ScalarType.Float32), ((y + 2) % 3).to(ScalarType.Float32)], 1) * 0.05f;
        var x = torch.rand(new long[] { count, 32, 32, 3 }, generator: g) * 0.7f + wave.unsqueeze(-1) + tint.view(-1, 1, 1, 3);
        return (x.to(device).DetachFromDisposeScope(), y.to(device).DetachFromDisposeScope());
    }

    private sealed record Result(List<double> F32, List<double> Mixed, List<double> RawF32, List<double> RawBf16, double AccF32, double AccMixed);

    private static Result Compare(BenchOptions o, Func<Model> make, Tensor x, Tensor y, Tensor xTest, Tensor yTest, int batch, bool fromLogits,
        Func<nn.Module<Tensor, Tensor>> raw, Func<Tensor, Tensor> rawPrep, Device device, bool runRaw = true)
    {
        var f32 = new List<double>();
        var mixed = new List<double>();
        var rawF32 = new List<double>();
        var rawBf16 = new List<double>();
        double accF32 = double.NaN, accMixed = double.NaN;
        for (int r = 0; r < o.Reps; r++)
        {
            (var s, accF32) = Sharpkeras(make, "float32", x, y, xTest, yTest, batch, o.Epochs, o.Seed, fromLogits);
            f32.AddRange(s.Skip(1));
            GC.Collect();
            (s, accMixed) = Sharpkeras(make, "mixed_bfloat16", x, y, xTest, yTest, batch, o.Epochs, o.Seed, fromLogits);
            mixed.AddRange(s.Skip(1));
            GC.Collect();
            if (!runRaw) continue;
            rawF32.AddRange(Cases.RawEpochs(raw, x, y, batch, o.Epochs, binary: false, o.Seed, device, prep: rawPrep).Skip(1));
            GC.Collect();
            rawBf16.AddRange(Cases.RawEpochs(() => new InBFloat16(raw()), x, y, batch, o.Epochs, binary: false, o.Seed, device,
                prep: xb => rawPrep(xb).to(ScalarType.BFloat16)).Skip(1));
            GC.Collect();
        }
        return new Result(f32, mixed, rawF32, rawBf16, accF32, accMixed);
    }

    private static (List<double> seconds, double accuracy) Sharpkeras(Func<Model> make, string policy, Tensor x, Tensor y,
        Tensor xTest, Tensor yTest, int batch, int epochs, int seed, bool fromLogits)
    {
        Keras.Config.SetDTypePolicy(policy);
        try
        {
            Keras.Config.Seed(seed);
            var model = make();
            object loss = fromLogits ? new Losses.SparseCategoricalCrossentropy(fromLogits: true) : "sparse_categorical_crossentropy";
            model.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: loss, metrics: ["accuracy"]);
            var seconds = new List<double>();
            var sw = new Stopwatch();
            var timer = new Callbacks.LambdaCallback(
                onEpochBegin: (_, _) => sw.Restart(),
                onEpochEnd: (_, logs) => { _ = logs.Count; seconds.Add(sw.Elapsed.TotalSeconds); });
            model.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, callbacks: [timer]);
            double acc = model.Evaluate(xTest, yTest, batchSize: 256, verbose: 0)["accuracy"];
            model.Dispose();
            return (seconds, acc);
        }
        finally { Keras.Config.SetDTypePolicy("float32"); }
    }

    /// <summary>The control: a plain TorchSharp module with every weight and activation in bfloat16, logits back in float32.</summary>
    private sealed class InBFloat16 : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _inner;

        public InBFloat16(nn.Module<Tensor, Tensor> inner) : base("in_bfloat16")
        {
            _inner = inner;
            RegisterComponents();
            _inner.to(ScalarType.BFloat16);
        }

        public override Tensor forward(Tensor x) => _inner.forward(x.to(ScalarType.BFloat16)).to(ScalarType.Float32);
    }

    private static double Med(List<double> v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string Row(string model, string data, int batch, Result r) =>
        $"| {model} | {data} | {batch} | {Med(r.F32):F3} | {Med(r.Mixed):F3} | {Med(r.Mixed) / Med(r.F32):F2} | " +
        (r.RawF32.Count == 0 ? "–" : $"{Med(r.RawBf16) / Med(r.RawF32):F2} ({Med(r.RawF32):F3} → {Med(r.RawBf16):F3})") +
        $" | {r.AccF32:P2} | {r.AccMixed:P2} |";
}
