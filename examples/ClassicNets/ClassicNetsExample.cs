using System.Diagnostics;
using Sharpkeras.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Examples.ClassicNets;

/// <summary>
/// Builds each classic network of <see cref="Applications"/>, prints its summary line and parameter count with
/// the construction time, and trains the small ones a few steps (LeNet-5 and the DCGAN on MNIST-10k, the
/// Transformer classifier on random token data).
/// </summary>
public static class ClassicNetsExample
{
    /// <summary>Runs the example; returns name → parameter count.</summary>
    public static Dictionary<string, long> Run(string[] args)
    {
        var o = ExampleOptions.Parse(args, defaultEpochs: 1, defaultBatchSize: 64);
        Keras.Config.Device = o.ResolveDevice();
        Keras.Config.Seed(o.Seed);
        bool full = !o.Small;
        var counts = new Dictionary<string, long>();
        void Show(string name, Func<Model> build)
        {
            var sw = Stopwatch.StartNew();
            var m = build();
            var t = sw.Elapsed.TotalSeconds;
            counts[name] = m.CountParams();
            Console.WriteLine($"{name,-24} {m.CountParams(),14:N0} params  ({m.TrainableWeights.Sum(v => v.KerasShape.Aggregate(1L, (a, b) => a * b)),14:N0} trainable)  built in {t:F2}s");
            if (o.Verbose > 1) m.Summary();
            m.Dispose();
        }
        Show("LeNet5", () => Applications.LeNet5());
        Show("TransformerClassifier", () => Applications.TransformerClassifier());
        Show("DCGAN generator", () => Applications.DCGAN().Generator);
        if (full)
        {
            Show("AlexNet", () => Applications.AlexNet());
            Show("VGG16", () => Applications.VGG16());
            Show("VGG19", () => Applications.VGG19());
            Show("ResNet18", () => Applications.ResNet18());
            Show("ResNet50", () => Applications.ResNet50());
            Show("GoogLeNet", () => Applications.GoogLeNet());
            Show("InceptionV3", () => Applications.InceptionV3());
        }

        // Train the small ones a few steps: LeNet-5 and the DCGAN on real digits, the Transformer on synthetic tokens.
        int n = o.Samples ?? 512;
        var ((x, y), _) = Mnist.LoadData(path: o.DataDir);
        n = (int)Math.Min(n, x.shape[0]);
        var images = x[..n].to(ScalarType.Float32).div(255f).unsqueeze(-1);
        var labels = y[..n];
        string digits = $"MNIST (real digits, {n:N0} samples)";
        Directory.CreateDirectory(o.OutDir);
        void Report(string network, string data, History h)
        {
            var last = string.Join("  ", h.Keys.Where(k => k != "learning_rate").Select(k => $"{k} {h[k][^1]:F4}"));
            var plot = h.Plot(Path.Combine(o.OutDir, $"classic_{network.ToLowerInvariant()}_training.png"), subtitle: data);
            Console.WriteLine($"[{network}] after {h.Epoch.Count} epoch(s) on {data}: {last}  (plot: {plot})");
        }

        Console.WriteLine($"[LeNet5] training on {digits}, {o.Epochs} epoch(s)");
        var lenet = Applications.LeNet5();
        lenet.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        Report("LeNet5", digits, lenet.Fit(images, labels, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose));

        string ganData = $"MNIST (real digits scaled to [-1, 1], {n:N0} samples)";
        Console.WriteLine($"[DCGAN] training on {ganData}, {o.Epochs} epoch(s)");
        var gan = Applications.DCGAN(latentDim: 64);
        gan.Compile(dOptimizer: new Optimizers.Adam(learningRate: 2e-4, beta1: 0.5), gOptimizer: new Optimizers.Adam(learningRate: 2e-4, beta1: 0.5));
        Report("DCGAN", ganData, gan.Fit(images.mul(2).sub(1), batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose));

        string tokenData = $"synthetic data (random token ids and labels, {n:N0} sequences of 50)";
        Console.WriteLine($"[TransformerClassifier] training on {tokenData}, {o.Epochs} epoch(s)");
        var tokens = torch.randint(1, 2000, [n, 50], dtype: ScalarType.Int64);
        var sentiment = torch.randint(0, 2, [n], dtype: ScalarType.Int64);
        var transformer = Applications.TransformerClassifier(vocabSize: 2000, maxLen: 50);
        transformer.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        Report("TransformerClassifier", tokenData, transformer.Fit(tokens, sentiment, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose));
        return counts;
    }
}
