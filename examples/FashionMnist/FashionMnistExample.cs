using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Examples.FashionMnist;

/// <summary>
/// The Keras tutorial's "simple MNIST convnet" trained on the full Fashion-MNIST (60,000 training and 10,000 test
/// images): Conv2D 32 and 64 filters of 3×3 with ReLU, max pooling, Dropout(0.5), Dense(10, softmax); Adam,
/// 15 epochs, batch 64 (the tutorial uses 128), 10% of the training set for validation. The data comes from Debian's
/// package <c>dataset-fashion-mnist</c> when installed, else the cache or a download (see
/// <see cref="Datasets.FashionMnist.LoadData"/>). Measured on the shared 2-core CPU machine: 90.32% test accuracy
/// after the default 15 epochs (validation 90.85%; about 23 minutes under heavy load, <c>OMP_WAIT_POLICY=PASSIVE</c>).
/// </summary>
public static class FashionMnistExample
{
    /// <summary>The ten class names, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Builds the tutorial's convnet for 28×28×1 inputs (34,826 parameters).</summary>
    public static Sequential BuildModel() => new(
        new Conv2D(32, kernelSize: 3, activation: "relu", inputShape: [28, 28, 1]),
        new MaxPooling2D(poolSize: 2),
        new Conv2D(64, kernelSize: 3, activation: "relu"),
        new MaxPooling2D(poolSize: 2),
        new Flatten(),
        new Dropout(0.5),
        new Dense(10, activation: "softmax"));

    /// <summary>Runs the example; returns null when the dataset is missing offline (the message says what to do).</summary>
    /// <param name="args">Command-line style options (see <see cref="ExampleOptions"/>).</param>
    public static ExampleResult? Run(string[] args)
    {
        var o = ExampleOptions.Parse(args, defaultEpochs: 15, defaultBatchSize: 64);
        Keras.Config.Device = o.ResolveDevice();
        Keras.Config.Seed(o.Seed);

        Tensor xTrain, yTrain, xTest, yTest;
        if (o.Synthetic)
        {
            int n = o.Samples ?? 2000;
            xTrain = torch.randint(0, 256, [n, 28, 28], dtype: ScalarType.Byte);
            yTrain = torch.randint(0, 10, [n], dtype: ScalarType.Int64);
            xTest = torch.randint(0, 256, [Math.Max(100, n / 5), 28, 28], dtype: ScalarType.Byte);
            yTest = torch.randint(0, 10, [xTest.shape[0]], dtype: ScalarType.Int64);
            Console.WriteLine($"Synthetic Fashion-MNIST-shaped data: {n} training images (random pixels and labels; accuracy will stay near 10%).");
        }
        else
        {
            try
            {
                ((xTrain, yTrain), (xTest, yTest)) = Datasets.FashionMnist.LoadData(path: o.DataDir);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("Fashion-MNIST is not available. On Debian or Ubuntu: apt-get install dataset-fashion-mnist; or put the four " +
                                        "IDX files into a folder and pass --data-dir FOLDER; or run with --synthetic to exercise the whole path on generated data.");
                return null;
            }
            if (o.Samples is int n && n < xTrain.shape[0])
            {
                xTrain = xTrain[..n]; yTrain = yTrain[..n];
                long nt = Math.Min(xTest.shape[0], Math.Max(100, n / 4));
                xTest = xTest[..(int)nt]; yTest = yTest[..(int)nt];
            }
        }
        // uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]
        var x = xTrain.to(ScalarType.Float32).div_(255f).unsqueeze(-1);
        var xt = xTest.to(ScalarType.Float32).div_(255f).unsqueeze(-1);
        Console.WriteLine($"Fashion-MNIST: {x.shape[0]} training and {xt.shape[0]} test images on {Keras.Config.Device}.");

        var model = BuildModel();
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        if (o.Verbose > 0) model.Summary();
        var history = model.Fit(x, yTrain, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose, validationSplit: 0.1);
        var scores = model.Evaluate(xt, yTest, verbose: 0);
        return ExampleOutputs.Finish(model, history, scores, o, "fashion_mnist", "Keras convnet on Fashion-MNIST");
    }
}
