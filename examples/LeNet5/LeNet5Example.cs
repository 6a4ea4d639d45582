using Sharpkeras.Callbacks;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Examples.LeNet5;

/// <summary>
/// LeNet-5 on MNIST with the Sequential API: tanh convolutions with 6 and 16 filters of 5×5, max pooling,
/// Dense 120/84/10. Offline it trains on the embedded real MNIST-10k subset (8,000 train / 2,000 test).
/// </summary>
public static class LeNet5Example
{
    /// <summary>Runs the example with command-line style arguments; returns what it produced.</summary>
    public static ExampleResult Run(string[] args)
    {
        var o = ExampleOptions.Parse(args, defaultEpochs: 15, defaultBatchSize: 128);
        Keras.Config.Device = o.ResolveDevice();
        Keras.Config.Seed(o.Seed);

        var ((xTrain, yTrain), (xTest, yTest)) = o.Synthetic ? SyntheticMnist(o.Samples ?? 2000) : Mnist.LoadData(path: o.DataDir);
        if (o.Samples is int n && n < xTrain.shape[0])
        {
            xTrain = xTrain[..n]; yTrain = yTrain[..n];
            long nt = Math.Min(xTest.shape[0], Math.Max(100, n / 4));
            xTest = xTest[..(int)nt]; yTest = yTest[..(int)nt];
        }
        // uint8 (N, 28, 28) -> float32 (N, 28, 28, 1) in [0, 1]
        xTrain = xTrain.to(ScalarType.Float32).div_(255f).unsqueeze(-1);
        xTest = xTest.to(ScalarType.Float32).div_(255f).unsqueeze(-1);
        string data = o.Synthetic
            ? $"synthetic MNIST-shaped data (random pixels and labels, {xTrain.shape[0]:N0} train / {xTest.shape[0]:N0} test)"
            : $"MNIST (real digits, {xTrain.shape[0]:N0} train / {xTest.shape[0]:N0} test)";
        Console.WriteLine($"Data: {data}; device {Keras.Config.Device}.");

        var model = new Sequential(
        [
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
            new MaxPooling2D(poolSize: 2),
            new Conv2D(16, kernelSize: 5, activation: "tanh"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax"),
        ], name: "lenet5");
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        if (o.Verbose > 0) model.Summary();

        var history = model.Fit(xTrain, yTrain, batchSize: o.BatchSize, epochs: o.Epochs, verbose: o.Verbose,
            validationData: (xTest, yTest));
        var scores = model.Evaluate(xTest, yTest, verbose: 0);
        return ExampleOutputs.Finish(model, history, scores, o, "lenet5", data);
    }

    /// <summary>Random digit-shaped data (for --synthetic): uint8 images and int64 labels.</summary>
    private static ((Tensor, Tensor), (Tensor, Tensor)) SyntheticMnist(int n)
    {
        var x = torch.randint(0, 256, [n, 28, 28], dtype: ScalarType.Byte);
        var y = torch.randint(0, 10, [n], dtype: ScalarType.Int64);
        int nt = Math.Max(100, n / 4);
        return ((x, y), (torch.randint(0, 256, [nt, 28, 28], dtype: ScalarType.Byte), torch.randint(0, 10, [nt], dtype: ScalarType.Int64)));
    }
}
