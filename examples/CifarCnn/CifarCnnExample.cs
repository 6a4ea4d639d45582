using Sharpkeras.Callbacks;
using Sharpkeras.Data;
using Sharpkeras.Datasets;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Examples.CifarCnn;

/// <summary>
/// The seeds' CIFAR-10 CNN with the Functional API: Conv 32/64/128 with BatchNormalization, ReLU and max pooling,
/// global average pooling, Dense(10) logits, sparse cross-entropy from logits, Adam with a cosine-decay schedule,
/// augmentation (RandomFlip and RandomTranslation inside the model, RandomContrast in the data pipeline's Map),
/// EarlyStopping and ModelCheckpoint.
/// </summary>
public static class CifarCnnExample
{
    /// <summary>Runs the example; returns null when the dataset is missing offline (the message says what to do).</summary>
    public static ExampleResult? Run(string[] args)
    {
        var o = ExampleOptions.Parse(args, defaultEpochs: 20, defaultBatchSize: 64);
        Keras.Config.Device = o.ResolveDevice();
        Keras.Config.Seed(o.Seed);

        Tensor xTrain, yTrain, xTest, yTest;
        string data;
        if (o.Synthetic)
        {
            int n = o.Samples ?? 2000;
            xTrain = torch.randint(0, 256, [n, 32, 32, 3], dtype: ScalarType.Byte);
            yTrain = torch.randint(0, 10, [n], dtype: ScalarType.Int64);
            xTest = torch.randint(0, 256, [Math.Max(100, n / 5), 32, 32, 3], dtype: ScalarType.Byte);
            yTest = torch.randint(0, 10, [xTest.shape[0]], dtype: ScalarType.Int64);
            data = $"synthetic CIFAR-shaped data (random pixels and labels, {n:N0} train / {xTest.shape[0]:N0} test)";
            Console.WriteLine($"Data: {data}: accuracy will stay near 10%.");
        }
        else
        {
            try
            {
                ((xTrain, yTrain), (xTest, yTest)) = Cifar10.LoadData(path: o.DataDir);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("CIFAR-10 is not available offline. Put cifar-10-binary.tar.gz (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz) " +
                                        "into a folder and pass --data-dir FOLDER, or run with --synthetic to exercise the whole path on generated data.");
                return null;
            }
            if (o.Samples is int n && n < xTrain.shape[0]) { xTrain = xTrain[..n]; yTrain = yTrain[..n]; }
            data = $"CIFAR-10 (real images, {xTrain.shape[0]:N0} train / {xTest.shape[0]:N0} test)";
            Console.WriteLine($"Data: {data}.");
        }
        var x = xTrain.to(ScalarType.Float32).div_(255f);
        var xt = xTest.to(ScalarType.Float32).div_(255f);

        // Validation: the last 10% of the training set.
        long nVal = Math.Max(1, x.shape[0] / 10), nTr = x.shape[0] - nVal;
        var (xTr, yTr, xVal, yVal) = (x[..(int)nTr], yTrain[..(int)nTr], x[(int)nTr..], yTrain[(int)nTr..]);

        // Augmentation in the pipeline (per-sample, vectorized over the batch) …
        var contrast = new RandomContrast(factor: 0.2, seed: o.Seed);
        var train = Dataset.FromTensorSlices(xTr, yTr)
            .Shuffle(4096, seed: o.Seed)
            .Batch(o.BatchSize)
            .Map(b => [contrast.Apply(b[0], training: true), b[1]])
            .Prefetch(2);
        var val = Dataset.FromTensorSlices(xVal, yVal).Batch(256);

        // … and inside the model (active only when training).
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var h = new RandomFlip("horizontal", seed: o.Seed).Apply(inputs);
        h = new RandomTranslation(0.1, 0.1, seed: o.Seed).Apply(h);
        foreach (var filters in new[] { 32, 64, 128 })
        {
            h = new Conv2D(filters, kernelSize: 3, padding: "same").Apply(h);
            h = new BatchNormalization().Apply(h);
            h = new Activation("relu").Apply(h);
            if (filters != 128) h = new MaxPooling2D(2).Apply(h);
        }
        h = new GlobalAveragePooling2D().Apply(h);
        var outputs = new Dense(10).Apply(h);
        var model = new Model(inputs, outputs, name: "cifar_cnn");

        long stepsPerEpoch = (nTr + o.BatchSize - 1) / o.BatchSize;
        var schedule = new CosineDecay(initialLearningRate: 1e-3, decaySteps: stepsPerEpoch * o.Epochs);
        model.Compile(optimizer: new Optimizers.Adam(learningRate: schedule),
                      loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: ["accuracy"]);
        if (o.Verbose > 0) model.Summary();

        Directory.CreateDirectory(o.OutDir);
        var best = Path.Combine(o.OutDir, "cifar_cnn.best.skeras");
        var history = model.Fit(train, epochs: o.Epochs, verbose: o.Verbose, validationData: val,
            callbacks:
            [
                new EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true),
                new ModelCheckpoint(best, monitor: "val_accuracy", saveBestOnly: true),
            ]);
        var scores = model.Evaluate(xt, yTest, verbose: 0);
        return ExampleOutputs.Finish(model, history, scores, o, "cifar_cnn", data);
    }
}
