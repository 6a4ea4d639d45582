using System.Diagnostics;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>
/// Where a LeNet-5 training step's time goes (<c>--models probe</c>): the raw TorchSharp step and Sharpkeras's
/// <c>TrainStep</c>, phase by phase, on the same batches, interleaved in blocks; medians in microseconds.
/// </summary>
internal static class Probe
{
    private sealed class ProbedLeNet : Sequential
    {
        public ProbedLeNet(params Layer[] layers) : base(layers) { }
        public Tensor[] TrainForward(Tensor x) => Forward([x], training: true);
    }

    private sealed class StepTimer : Callbacks.Callback
    {
        private readonly Stopwatch _sw = Stopwatch.StartNew(), _epoch = new();
        private double _end = -1;
        public List<double> Steps { get; } = new();
        public List<double> Gaps { get; } = new();
        public List<double> Epochs { get; } = new();
        public List<double> Heads { get; } = new();
        public List<double> Tails { get; } = new();
        public List<double> FirstSteps { get; } = new();
        private double _epochBegin;
        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) { _epoch.Restart(); _end = -1; _epochBegin = _sw.Elapsed.TotalMicroseconds; }
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            Epochs.Add(_epoch.Elapsed.TotalMilliseconds);
            Tails.Add(_sw.Elapsed.TotalMicroseconds - _end);
        }
        private double _begin;
        public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs)
        {
            _begin = _sw.Elapsed.TotalMicroseconds;
            if (_end >= 0) Gaps.Add(_begin - _end);
            else Heads.Add(_begin - _epochBegin);
        }
        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
        {
            _end = _sw.Elapsed.TotalMicroseconds;
            Steps.Add(_end - _begin);
            if (batch == 0) FirstSteps.Add(_end - _begin);
        }
    }

    public static void Run(Tensor xs, Tensor ys, int blocks, Action<string> say, string dataFormat = "channels_last")
    {
        const int batch = 128, stepsPerBlock = 16;
        bool cf = dataFormat == "channels_first";
        if (cf) xs = xs.permute(0, 3, 1, 2).contiguous();
        int?[] shape = cf ? [1, 28, 28] : [28, 28, 1];
        long n = xs.shape[0];
        var sk = new ProbedLeNet(
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", dataFormat: dataFormat, inputShape: shape),
            new MaxPooling2D(poolSize: 2, dataFormat: dataFormat),
            new Conv2D(16, kernelSize: 5, activation: "tanh", dataFormat: dataFormat),
            new MaxPooling2D(poolSize: 2, dataFormat: dataFormat),
            new Flatten(dataFormat: dataFormat),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax"));
        sk.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        sk.Build([null, .. shape]);
        foreach (var v in sk.TrainableWeights)
            say($"| weight {v.Path} | {string.Join("x", v.Value.shape)} contiguous={v.Value.is_contiguous()} strides={string.Join(",", v.Value.stride())} |");
        using var raw = RawModels.LeNet();
        raw.train();
        using var opt = torch.optim.Adam(raw.parameters(), 1e-3, eps: 1e-7);
        var ce = nn.CrossEntropyLoss();
        var t = new Dictionary<string, List<double>>();
        void Add(string k, double us) { if (!t.TryGetValue(k, out var l)) t[k] = l = new(); l.Add(us); }
        var sw = new Stopwatch();
        double Lap() { double us = sw.Elapsed.TotalMicroseconds; sw.Restart(); return us; }
        using var perm = torch.randperm(n);
        for (int b = 0; b < blocks; b++)
        {
            // raw block
            var gap = new Stopwatch();
            for (int s = 0; s < stepsPerBlock; s++)
            {
                if (s > 0) gap.Start(); else gap.Restart();
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, (s * batch) % (n - batch), batch);
                var xb = cf ? xs.index_select(0, idx) : xs.index_select(0, idx).permute(0, 3, 1, 2);
                var yb = ys.index_select(0, idx);
                if (s > 0) Add("raw gap (gather, scope)", gap.Elapsed.TotalMicroseconds);
                var all = Stopwatch.StartNew();
                sw.Restart();
                opt.zero_grad(); Add("raw zero_grad", Lap());
                var output = raw.forward(xb); Add("raw forward", Lap());
                var loss = ce.forward(output, yb); Add("raw loss", Lap());
                loss.backward(); Add("raw backward", Lap());
                opt.step(); Add("raw optimizer", Lap());
                double total = loss.item<float>();
                int correct = (int)output.argmax(1).eq(yb).sum().item<long>(); Add("raw bookkeeping", Lap());
                Add("raw step", all.Elapsed.TotalMicroseconds);
                scope.Dispose();
                gap.Restart();
            }
            // Sharpkeras TrainStep, whole
            for (int s = 0; s < stepsPerBlock; s++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, (s * batch) % (n - batch), batch);
                var xb = xs.index_select(0, idx);
                var yb = ys.index_select(0, idx);
                var all = Stopwatch.StartNew();
                sk.TrainStep([xb, yb]);
                Add("sk TrainStep", all.Elapsed.TotalMicroseconds);
            }
            // Sharpkeras, phase by phase (what TrainStep does)
            for (int s = 0; s < stepsPerBlock; s++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, (s * batch) % (n - batch), batch);
                var xb = xs.index_select(0, idx);
                var yb = ys.index_select(0, idx);
                var o = sk.Optimizer!;
                sw.Restart();
                o.ZeroGrad(); Add("sk zero_grad", Lap());
                var yPred = sk.TrainForward(xb); Add("sk forward", Lap());
                var loss = sk.ComputeLoss([xb], [yb], yPred, null, training: true); Add("sk loss", Lap());
                _ = sk.ComputeLoss([xb], [yb], yPred, null, training: true); Add("sk loss again", Lap());
                _ = sk.Losses.Count; Add("sk loss: layer losses", Lap());
                var ce1 = Sharpkeras.Losses.Losses.SparseCategoricalCrossentropy(yb, yPred[0]); Add("sk loss: ce values", Lap());
                _ = Sharpkeras.Losses.Loss.Reduce(ce1, null, "sum_over_batch_size"); Add("sk loss: reduce", Lap());
                _ = sk.CompiledLoss!.Call([yb], yPred, null); Add("sk loss: compiled", Lap());
                sk.LossTracker.Update(loss, batch); Add("sk loss tracker", Lap());
                loss.backward(); Add("sk backward", Lap());
                o.Step(); Add("sk optimizer", Lap());
                sk.ComputeMetrics([xb], [yb], yPred, null); Add("sk metrics", Lap());
            }
        }
        // Inside Fit: the step (batch begin → batch end) and the gap between steps (batch end → next batch begin).
        var cb = new StepTimer();
        for (int r = 0; r < 3; r++) sk.Fit(xs, ys, batchSize: batch, epochs: 3, verbose: 0, callbacks: [cb]);
        var cbFresh = new StepTimer();
        for (int r = 0; r < 3; r++)
        {
            using var fresh = Cases.LeNet(dataFormat);
            Keras.Config.Seed(1);
            fresh.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
            fresh.Fit(xs, ys, batchSize: batch, epochs: 3, verbose: 0, callbacks: [cbFresh]);
        }
        t["fresh fit step"] = cbFresh.Steps;
        t["fresh fit gap"] = cbFresh.Gaps;
        t["fresh fit epoch (ms)"] = cbFresh.Epochs;
        t["fit step"] = cb.Steps;
        t["fit gap"] = cb.Gaps;
        t["fit epoch (ms)"] = cb.Epochs;
        t["fit epoch head"] = cb.Heads;
        t["fit epoch tail"] = cb.Tails;
        t["fit first step"] = cb.FirstSteps;
        say($"| phase ({dataFormat}) | median µs |");
        say("|---|---|");
        foreach (var (k, v) in t)
        {
            v.Sort();
            say($"| {k} | {v[v.Count / 2]:F0} |");
        }
        say("");
        sk.Dispose();
    }
}

/// <summary>Temporary: Adam update variants on LeNet-5's parameters.</summary>
internal static class OptProbe
{
    public static void Run(Tensor xs, Tensor ys, int blocks, Action<string> say)
    {
        const int batch = 128;
        using var model = RawModels.LeNet();
        var ps = model.parameters().ToList();
        using var torchAdam = torch.optim.Adam(ps, 1e-3, eps: 1e-7);
        long total = ps.Sum(p => p.numel());
        var M = torch.zeros(total); var V = torch.zeros(total); var D = torch.zeros(total); var G = torch.zeros(total);
        var mViews = new List<Tensor>(); var dViews = new List<Tensor>(); var gViews = new List<Tensor>();
        long off = 0;
        foreach (var p in ps)
        {
            mViews.Add(M.narrow(0, off, p.numel()).view(p.shape));
            dViews.Add(D.narrow(0, off, p.numel()).view(p.shape));
            gViews.Add(G.narrow(0, off, p.numel()).view(p.shape));
            off += p.numel();
        }
        var ce = nn.CrossEntropyLoss();
        var t = new Dictionary<string, List<double>>();
        void Add(string k, double us) { if (!t.TryGetValue(k, out var l)) t[k] = l = new(); l.Add(us); }
        var xb0 = xs.narrow(0, 0, batch).permute(0, 3, 1, 2);
        var yb0 = ys.narrow(0, 0, batch);
        long step = 0;
        for (int b = 0; b < blocks * 16; b++)
        {
            foreach (var variant in new[] { "torch", "flat-cat", "flat-grad" })
            {
                using var scope = NewDisposeScope();
                // gradients
                if (variant == "flat-grad")
                {
                    var sw0 = Stopwatch.StartNew();
                    G.zero_();
                    for (int i = 0; i < ps.Count; i++) ps[i].grad = gViews[i];
                    Add(variant + " zero", sw0.Elapsed.TotalMicroseconds);
                }
                else
                {
                    var sw0 = Stopwatch.StartNew();
                    foreach (var p in ps) p.grad = null;
                    Add(variant + " zero", sw0.Elapsed.TotalMicroseconds);
                }
                var loss = ce.forward(model.forward(xb0), yb0);
                var swb = Stopwatch.StartNew();
                loss.backward();
                Add(variant + " backward", swb.Elapsed.TotalMicroseconds);
                var sw = Stopwatch.StartNew();
                using (torch.no_grad())
                {
                    if (variant == "torch") torchAdam.step();
                    else
                    {
                        step++;
                        Tensor g;
                        if (variant == "flat-cat")
                        {
                            var flat = new Tensor[ps.Count];
                            for (int i = 0; i < ps.Count; i++) { using var gi = ps[i].grad!; flat[i] = gi.reshape(-1); }
                            g = torch.cat(flat, 0);
                        }
                        else g = G;
                        double b1 = 0.9, b2 = 0.999;
                        M.lerp_(g, 1 - b1);
                        V.mul_(b2).addcmul_(g, g, 1 - b2);
                        D.copy_(V).sqrt_().add_(1e-7);
                        double alpha = 1e-3 * Math.Sqrt(1 - Math.Pow(b2, step)) / (1 - Math.Pow(b1, step));
                        for (int i = 0; i < ps.Count; i++) ps[i].addcdiv_(mViews[i], dViews[i], -alpha);
                    }
                }
                Add(variant + " step", sw.Elapsed.TotalMicroseconds);
            }
        }
        say("| optimizer variant | median µs |");
        say("|---|---|");
        foreach (var (k, v) in t) { v.Sort(); say($"| {k} | {v[v.Count / 2]:F0} |"); }
    }
}

internal static class OpProbe
{
    public static void Run(Action<string> say)
    {
        foreach (long n in new long[] { 1000, 30000 })
        {
            var a = torch.rand(n); var b = torch.rand(n); var c = torch.rand(n);
            var t = new Dictionary<string, List<double>>();
            void Time(string k, Action f) { var sw = Stopwatch.StartNew(); f(); double us = sw.Elapsed.TotalMicroseconds; if (!t.TryGetValue(k, out var l)) t[k] = l = new(); l.Add(us); }
            for (int i = 0; i < 400; i++)
            {
                Time("mul_", () => a.mul_(0.999));
                Time("add_ scalar", () => a.add_(1e-7));
                Time("add_ tensor alpha", () => a.add_(b, alpha: 0.1));
                Time("addcmul_", () => a.addcmul_(b, b, 0.001));
                Time("addcdiv_", () => a.addcdiv_(b, c, -0.001));
                Time("sqrt_", () => c.sqrt_());
                Time("zero_", () => c.zero_().add_(1));
                Time("grad get+dispose", () => { using var g = a.grad; });
                Time("pow_ 0.5", () => c.pow_(0.5));
                Time("rsqrt_", () => c.rsqrt_());
                Time("sqrt oop", () => { using var r = b.sqrt(); });
                Time("copy_", () => c.copy_(b));
                Time("lerp_", () => a.lerp_(b, 0.1));
                Time("div_ tensor", () => c.div_(b));
                Time("exp_", () => c.exp_());
                Time("abs_", () => c.abs_());
                Time("narrow+view", () => { using var v = a.narrow(0, 0, n / 2); });
            }
            foreach (var (k, v) in t) { v.Sort(); say($"| n={n} {k} | {v[v.Count / 2]:F1} |"); }
        }
    }
}

/// <summary>Temporary: per-layer forward times, Sharpkeras layers (Apply and bare Call) against the raw modules.</summary>
internal static class LayerProbe
{
    public static void Run(Tensor xs, Action<string> say, string dataFormat)
    {
        bool cf = dataFormat == "channels_first";
        var x0 = cf ? xs.narrow(0, 0, 128).permute(0, 3, 1, 2).contiguous() : xs.narrow(0, 0, 128);
        using var sk = Cases.LeNet(dataFormat);
        sk.Build([null, .. (cf ? new int?[] { 1, 28, 28 } : new int?[] { 28, 28, 1 })]);
        var layers = ((Sequential)sk).Layers.ToList();
        using var raw = RawModels.LeNet();
        var mods = raw.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        var t = new Dictionary<string, List<double>>();
        void Add(string k, double us) { if (!t.TryGetValue(k, out var l)) t[k] = l = new(); l.Add(us); }
        for (int it = 0; it < 200; it++)
        {
            using var scope = NewDisposeScope();
            var x = x0;
            for (int i = 0; i < layers.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                x = layers[i].Apply(x, training: true);
                Add($"sk {i} {layers[i].GetType().Name} Apply", sw.Elapsed.TotalMicroseconds);
            }
            x = x0;
            for (int i = 0; i < layers.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                x = layers[i].Call(x, training: true);
                Add($"sk {i} {layers[i].GetType().Name} Call", sw.Elapsed.TotalMicroseconds);
            }
            x = cf ? x0 : x0.permute(0, 3, 1, 2);
            for (int i = 0; i < mods.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                x = mods[i].forward(x);
                Add($"raw {i} {mods[i].GetType().Name}", sw.Elapsed.TotalMicroseconds);
            }
        }
        say($"| layer ({dataFormat}) | median µs |");
        foreach (var (k, v) in t.OrderBy(kv => kv.Key)) { v.Sort(); say($"| {k} | {v[v.Count / 2]:F0} |"); }
    }
}

/// <summary>Temporary: forward+backward of the same batch, alternating step by step, Sharpkeras model vs raw model.</summary>
internal static class FbProbe
{
    public static void Run(Tensor xs, Tensor ys, Action<string> say, string dataFormat)
    {
        bool cf = dataFormat == "channels_first";
        var x0 = cf ? xs.narrow(0, 0, 128).permute(0, 3, 1, 2).contiguous() : xs.narrow(0, 0, 128);
        var y0 = ys.narrow(0, 0, 128);
        using var sk = Cases.LeNet(dataFormat);
        sk.Compile(optimizer: new Optimizers.Adam(), loss: "sparse_categorical_crossentropy");
        sk.Build([null, .. (cf ? new int?[] { 1, 28, 28 } : new int?[] { 28, 28, 1 })]);
        sk.Optimizer!.Build(sk.TrainableWeights);
        using var raw = RawModels.LeNet();
        using var rawOpt = torch.optim.Adam(raw.parameters(), 1e-3);
        var ce = nn.CrossEntropyLoss();
        var t = new Dictionary<string, List<double>>();
        void Add(string k, double us) { if (!t.TryGetValue(k, out var l)) t[k] = l = new(); l.Add(us); }
        int iters = int.TryParse(Environment.GetEnvironmentVariable("SK_PROBE_ITERS"), out var ni) ? ni : 300;
        for (int it = 0; it < iters; it++)
        {
            Console.WriteLine("=== RAW");
            {
                using var scope = NewDisposeScope();
                rawOpt.zero_grad();
                var sw = Stopwatch.StartNew();
                var outp = raw.forward(cf ? x0 : x0.permute(0, 3, 1, 2));
                var loss = ce.forward(outp, y0);
                Add("raw fwd", sw.Elapsed.TotalMicroseconds); sw.Restart();
                loss.backward();
                Add("raw bwd", sw.Elapsed.TotalMicroseconds);
            }
            foreach (var chain in new[] { false })
            {
                Console.WriteLine("=== SK");
                using var scope = NewDisposeScope();
                sk.Optimizer!.ZeroGrad();
                var sw = Stopwatch.StartNew();
                Tensor outp;
                if (chain)
                {
                    outp = x0;
                    foreach (var l in ((Sequential)sk).Layers) outp = l.Apply(outp, training: true);
                }
                else outp = sk.Apply(x0, training: true);
                string pre = chain ? "sk chain" : "sk";
                var loss = ce.forward(outp.log(), y0); // the same loss kernel as raw, on log-probabilities
                Add(pre + " fwd", sw.Elapsed.TotalMicroseconds); sw.Restart();
                loss.backward();
                Add(pre + " bwd", sw.Elapsed.TotalMicroseconds);
            }
        }
        say($"| fwd/bwd ({dataFormat}) | median µs |");
        foreach (var (k, v) in t.OrderBy(kv => kv.Key)) { v.Sort(); say($"| {k} | {v[v.Count / 2]:F0} |"); }
    }
}

/// <summary>Temporary: per-step framework overhead on a tiny model (Dense(10) on 16 features), Fit against the raw loop.</summary>
internal static class OverheadProbe
{
    public static void Run(Action<string> say)
    {
        const int n = 128 * 200, batch = 128;
        torch.manual_seed(3);
        var x = torch.randn(n, 16);
        var y = torch.randint(0, 10, [n], dtype: ScalarType.Int64);
        var sk = new List<double>();
        var raw = new List<double>();
        for (int r = 0; r < 6; r++)
        {
            using (var m = new Sequential(new Dense(10, activation: "softmax", inputShape: [16])))
            {
                m.Compile(optimizer: new Optimizers.Adam(), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
                var sw = new Stopwatch();
                var cb = new Callbacks.LambdaCallback(onEpochBegin: (e, l) => sw.Restart(), onEpochEnd: (e, l) => { if (e > 0) sk.Add(sw.Elapsed.TotalMicroseconds / 200); });
                m.Fit(x, y, batchSize: batch, epochs: 3, verbose: 0, callbacks: [cb]);
            }
            var times = Cases.RawEpochs(() => nn.Sequential(("d", nn.Linear(16, 10))), x, y, batch, 3, binary: false, 1, torch.CPU);
            raw.AddRange(times.Skip(1).Select(s => s * 1e6 / 200));
        }
        sk.Sort(); raw.Sort();
        say($"| tiny model per step (µs) | Sharpkeras Fit {sk[sk.Count / 2]:F0} | raw loop {raw[raw.Count / 2]:F0} |");
    }
}
