using System.Diagnostics;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>
/// Where a LeNet-5 training step's time goes (<c>--models probe</c>): the raw TorchSharp step and Sharpkeras's
/// <c>TrainStep</c>, phase by phase, on the same batches, interleaved in blocks of 16 steps; then <c>Fit</c>'s own
/// steps and the gaps between them, timed from callbacks; medians in microseconds.
/// </summary>
internal static class Probe
{
    private sealed class ProbedLeNet : Sequential
    {
        public ProbedLeNet(params Layer[] layers) : base(layers) { }
        public Tensor[] TrainForward(Tensor x) => Forward([x], training: true);
        public List<double> StepTimes { get; } = new();
        public override IReadOnlyDictionary<string, Tensor> TrainStep(Tensor[] data)
        {
            var sw = Stopwatch.StartNew();
            var r = base.TrainStep(data);
            StepTimes.Add(sw.Elapsed.TotalMicroseconds);
            return r;
        }
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
        long n = xs.shape[0];
        var sk = new ProbedLeNet(Cases.LeNetLayers(dataFormat));
        sk.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
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
                sk.LossTracker.Update(loss, batch); Add("sk loss tracker", Lap());
                loss.backward(); Add("sk backward", Lap());
                o.Step(); Add("sk optimizer", Lap());
                sk.ComputeMetrics([xb], [yb], yPred, null); Add("sk metrics", Lap());
            }
        }
        // Inside Fit: the step (batch begin → batch end) and the gap between steps (batch end → next batch begin).
        var cb = new StepTimer();
        sk.StepTimes.Clear();
        for (int r = 0; r < 3; r++) sk.Fit(xs, ys, batchSize: batch, epochs: 3, verbose: 0, callbacks: [cb]);
        t["fit: TrainStep inside Fit"] = sk.StepTimes.ToList();
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

/// <summary>Per-step framework overhead on a tiny model (Dense(10) on 16 features), Fit against the raw loop.</summary>
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
        say("| tiny model (Dense(10) on 16 features, batch 128, Adam) | Sharpkeras Fit µs/step | raw loop µs/step |");
        say("|---|---|---|");
        say($"| median of 12 epochs of 200 steps | {sk[sk.Count / 2]:F0} | {raw[raw.Count / 2]:F0} |");
        say("");
    }
}
