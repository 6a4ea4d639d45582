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

        // Train the small ones a few steps on real digits.
        int n = o.Samples ?? 512;
        var ((x, y), _) = Mnist.LoadData(path: o.DataDir);
        var images = x[..n].to(ScalarType.Float32).div(255f).unsqueeze(-1);
        var labels = y[..n];
        var lenet = Applications.LeNet5();
        lenet.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        lenet.Fit(images, labels, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose);

        var gan = Applications.DCGAN(latentDim: 64);
        gan.Compile(dOptimizer: new Optimizers.Adam(learningRate: 2e-4, beta1: 0.5), gOptimizer: new Optimizers.Adam(learningRate: 2e-4, beta1: 0.5));
        gan.Fit(images.mul(2).sub(1), batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose);

        var tokens = torch.randint(1, 2000, [n, 50], dtype: ScalarType.Int64);
        var sentiment = torch.randint(0, 2, [n], dtype: ScalarType.Int64);
        var transformer = Applications.TransformerClassifier(vocabSize: 2000, maxLen: 50);
        transformer.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        transformer.Fit(tokens, sentiment, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose);
        return counts;
    }
}
