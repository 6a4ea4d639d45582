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
        say(Row("CIFAR CNN (logits, float32 loss)", $"synthetic gratings 32×32×3 {nc} (test {cxt.shape[0]})", 64,
            Compare(opts, Cases.CifarCnn, cx, cy, cxt, cyt, 64, fromLogits: true,
                RawModels.CifarCnn, xb => xb.permute(0, 3, 1, 2), device)));
        foreach (var t in new[] { cx, cy, cxt, cyt }) t.Dispose();
        say("");
    }

    /// <summary>LeNet-5 as in the other rows, with Keras's advice for mixed precision: the softmax as a float32 layer.</summary>
    private static Model LeNet() => new Sequential(
        new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
        new MaxPooling2D(poolSize: 2),
        new Conv2D(16, kernelSize: 5, activation: "tanh"),
        new MaxPooling2D(poolSize: 2),
        new Flatten(),
        new Dense(120, activation: "tanh"),
        new Dense(84, activation: "tanh"),
        new Dense(10),
        new Activation("softmax", dtype: "float32"));

    /// <summary>
    /// Ten classes of 32×32×3 images: oriented sine gratings (5 orientations × 2 frequencies, amplitude 0.3, a random
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
        var wave = (proj * freq.view(-1, 1, 1) * (2 * MathF.PI) + phase.view(-1, 1, 1)).sin() * 0.3f;
        var tint = torch.stack([(y % 3).to(ScalarType.Float32), ((y + 1) % 3).to(ScalarType.Float32), ((y + 2) % 3).to(ScalarType.Float32)], 1) * 0.05f;
        var x = torch.rand(new long[] { count, 32, 32, 3 }, generator: g) * 0.7f + wave.unsqueeze(-1) + tint.view(-1, 1, 1, 3);
        return (x.to(device).DetachFromDisposeScope(), y.to(device).DetachFromDisposeScope());
    }

    private sealed record Result(List<double> F32, List<double> Mixed, List<double> RawF32, List<double> RawBf16, double AccF32, double AccMixed);

    private static Result Compare(BenchOptions o, Func<Model> make, Tensor x, Tensor y, Tensor xTest, Tensor yTest, int batch, bool fromLogits,
        Func<nn.Module<Tensor, Tensor>> raw, Func<Tensor, Tensor> rawPrep, Device device)
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
        $"{Med(r.RawBf16) / Med(r.RawF32):F2} ({Med(r.RawF32):F3} → {Med(r.RawBf16):F3}) | {r.AccF32:P2} | {r.AccMixed:P2} |";
}
