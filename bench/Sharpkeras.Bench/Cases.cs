using System.Diagnostics;
using Sharpkeras.Callbacks;
using Sharpkeras.Data;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>The Sharpkeras side and the raw side of each benchmark case.</summary>
internal static class Cases
{
    public static Model LeNet(string dataFormat = "channels_last") => new Sequential(LeNetLayers(dataFormat));

    /// <summary>LeNet-5's layers (tanh, max pooling, softmax output) for 28×28 single-channel images.</summary>
    public static Layer[] LeNetLayers(string dataFormat = "channels_last")
    {
        int?[] shape = dataFormat == "channels_last" ? [28, 28, 1] : [1, 28, 28];
        return [
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", dataFormat: dataFormat, inputShape: shape),
            new MaxPooling2D(poolSize: 2, dataFormat: dataFormat),
            new Conv2D(16, kernelSize: 5, activation: "tanh", dataFormat: dataFormat),
            new MaxPooling2D(poolSize: 2, dataFormat: dataFormat),
            new Flatten(dataFormat: dataFormat),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax")];
    }

    public static Model CifarCnn()
    {
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var x = inputs;
        foreach (var f in new[] { 32, 64, 128 })
        {
            x = new Conv2D(f, kernelSize: 3).Apply(x);
            x = new BatchNormalization().Apply(x);
            x = new Activation("relu").Apply(x);
            if (f != 128) x = new MaxPooling2D(2).Apply(x);
        }
        x = new GlobalAveragePooling2D().Apply(x);
        var outputs = new Dense(10).Apply(x);
        return new Model(inputs, outputs, name: "cifar_cnn");
    }

    public static Model ImdbLstm(bool maskZero) => new Sequential(
        new Embedding(10000, 64, maskZero: maskZero),
        new LSTM(64),
        new Dense(1, activation: "sigmoid"));

    private sealed class EpochTimer : Callback
    {
        private readonly Stopwatch _sw = new();
        public List<double> Seconds { get; } = new();
        public List<long> Rss { get; } = new();
        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _sw.Restart();
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            _ = logs.Count; // epoch-end logs are read, as a progress bar would
            Seconds.Add(_sw.Elapsed.TotalSeconds);
            using var p = Process.GetCurrentProcess();
            Rss.Add(p.WorkingSet64);
        }
    }

    public static List<double> SharpkerasEpochs(Model model, Tensor x, Tensor y, int batch, int epochs, string loss, int seed, bool fromLogits = false)
    {
        Keras.Config.Seed(seed);
        object lossObj = fromLogits ? new Losses.SparseCategoricalCrossentropy(fromLogits: true) : loss;
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: lossObj, metrics: ["accuracy"]);
        var timer = new EpochTimer();
        model.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, callbacks: [timer]);
        model.Dispose();
        return timer.Seconds;
    }

    public static List<double> SharpkerasDatasetEpochs(Model model, Tensor x, Tensor y, int batch, int epochs, int seed)
    {
        Keras.Config.Seed(seed);
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var timer = new EpochTimer();
        var ds = Dataset.FromTensorSlices(x, y).Shuffle((int)x.shape[0], seed: seed).Batch(batch).Prefetch(2);
        model.Fit(ds, epochs: epochs, verbose: 0, callbacks: [timer]);
        model.Dispose();
        return timer.Seconds;
    }

    public static (List<long> rss, List<double> seconds) MemoryRun(Model model, Tensor x, Tensor y, int batch, int epochs, int seed)
    {
        Keras.Config.Seed(seed);
        model.Compile(optimizer: new Optimizers.Adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var timer = new EpochTimer();
        model.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, callbacks: [timer]);
        return (timer.Rss, timer.Seconds);
    }

    /// <summary>A plain TorchSharp loop as TorchSharp's examples write it: module, optimizer, loss.item() every step.</summary>
    /// <param name="prep">Applied to each input batch after index_select (e.g. N H W C → a channels_last-strided N C H W view).</param>
    public static List<double> RawEpochs(Func<nn.Module<Tensor, Tensor>> make, Tensor x, Tensor y, int batch, int epochs, bool binary, int seed, Device device,
        Func<Tensor, Tensor>? prep = null, List<long>? rss = null)
    {
        torch.manual_seed(seed);
        using var model = make();
        model.to(device);
        model.train();
        using var opt = torch.optim.Adam(model.parameters(), 1e-3, eps: 1e-7);
        var ce = nn.CrossEntropyLoss();
        var bce = nn.BCELoss();
        long n = x.shape[0];
        var times = new List<double>();
        for (int e = 0; e < epochs; e++)
        {
            var sw = Stopwatch.StartNew();
            using var perm = torch.randperm(n).to(device);
            double total = 0;
            int correct = 0;
            for (long i = 0; i < n; i += batch)
            {
                using var scope = torch.NewDisposeScope();
                var idx = perm.narrow(0, i, Math.Min(batch, n - i));
                var xb = x.index_select(0, idx);
                if (prep != null) xb = prep(xb);
                var yb = y.index_select(0, idx);
                opt.zero_grad();
                var output = model.forward(xb);
                var loss = binary ? bce.forward(output, yb) : ce.forward(output, yb);
                loss.backward();
                opt.step();
                total += loss.item<float>();
                if (!binary) correct += (int)output.argmax(1).eq(yb).sum().item<long>();
            }
            times.Add(sw.Elapsed.TotalSeconds);
            if (rss != null)
            {
                using var p = Process.GetCurrentProcess();
                rss.Add(p.WorkingSet64);
            }
        }
        return times;
    }
}
