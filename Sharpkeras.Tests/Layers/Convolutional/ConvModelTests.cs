using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class ConvModelTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(6);
    }

    private static Model CifarCnn()
    {
        KerasTensor inputs = Keras.Input(shape: [32, 32, 3]);
        var x = new Conv2D(32, kernelSize: 3).Apply(inputs);
        x = new BatchNormalization().Apply(x);
        x = new Activation("relu").Apply(x);
        x = new MaxPooling2D(2).Apply(x);
        x = new Conv2D(64, kernelSize: 3).Apply(x);
        x = new BatchNormalization().Apply(x);
        x = new Activation("relu").Apply(x);
        x = new MaxPooling2D(2).Apply(x);
        x = new Conv2D(128, kernelSize: 3).Apply(x);
        x = new BatchNormalization().Apply(x);
        x = new Activation("relu").Apply(x);
        x = new GlobalAveragePooling2D().Apply(x);
        var outputs = new Dense(10).Apply(x);
        return new Model(inputs, outputs, name: "cifar_cnn");
    }

    [Test]
    public void CifarCnnSummaryMatchesKeras()
    {
        var model = CifarCnn();
        // Conv2D(32, 3) on 3 channels: 3·3·3·32 + 32 = 896;   BN(32): 4·32 = 128 (64 non-trainable)
        // Conv2D(64, 3) on 32:        3·3·32·64 + 64 = 18,496; BN(64): 256 (128 non-trainable)
        // Conv2D(128, 3) on 64:       3·3·64·128 + 128 = 73,856; BN(128): 512 (256 non-trainable)
        // Dense(10) on 128:           128·10 + 10 = 1,290
        // Total 896 + 128 + 18,496 + 256 + 73,856 + 512 + 1,290 = 95,434; non-trainable 64 + 128 + 256 = 448.
        long total = 896 + 128 + 18_496 + 256 + 73_856 + 512 + 1_290;
        Assert.That(total, Is.EqualTo(95_434));
        Assert.That(model.CountParams(), Is.EqualTo(95_434));
        Assert.That(Count(model.NonTrainableWeights), Is.EqualTo(448));
        Assert.That(Count(model.TrainableWeights), Is.EqualTo(95_434 - 448));
        var lines = new List<string>();
        model.Summary(lines.Add);
        Assert.That(lines, Has.Some.Contains("Total params: 95,434"));
        Assert.That(lines, Has.Some.Contains("Trainable params: 94,986"));
        Assert.That(lines, Has.Some.Contains("Non-trainable params: 448"));
        // Shapes: 32 → conv 30 → pool 15 → conv 13 → pool 6 → conv 4 → GAP 128 → 10.
        Assert.That(lines, Has.Some.Contains("(None, 30, 30, 32)"));
        Assert.That(lines, Has.Some.Contains("(None, 15, 15, 32)"));
        Assert.That(lines, Has.Some.Contains("(None, 6, 6, 64)"));
        Assert.That(lines, Has.Some.Contains("(None, 4, 4, 128)"));
        Assert.That(model.GetLayer("global_average_pooling2d").OutputShape, Is.EqualTo(new int?[] { null, 128 }));
        Assert.That(model.Predict(torch.rand(2, 32, 32, 3), batchSize: 2).shape, Is.EqualTo(new long[] { 2, 10 }));
    }

    [Test]
    public void CifarCnnTrainsAndOnlyTrainingMovesBatchNormStatistics()
    {
        var model = CifarCnn();
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 1e-3),
            loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var x = torch.rand(16, 32, 32, 3);
        var y = torch.randint(0, 10, [16], dtype: ScalarType.Int64);
        var bn = (BatchNormalization)model.GetLayer("batch_normalization");
        var kernelBefore = model.GetLayer("conv2d").GetWeights()[0];
        var history = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        Assert.That(double.IsFinite(history["loss"][0]), Is.True);
        var moved = bn.GetWeights()[2];   // moving_mean, moved by the 2 training steps
        Assert.That(moved.abs().sum().item<float>(), Is.GreaterThan(0f));
        Assert.That(model.GetLayer("conv2d").GetWeights()[0].allclose(kernelBefore, 0, 0), Is.False, "the first conv learned");
        model.Evaluate(x, y, verbose: 0);
        model.Predict(x);
        Assert.That(bn.GetWeights()[2].allclose(moved, 0, 0), Is.True, "inference leaves the moving statistics alone");
    }

    [Test]
    public void LeNet5HasKerasParamCountAndTrainsOneStep()
    {
        var model = new Sequential(
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
            new MaxPooling2D(poolSize: 2),
            new Conv2D(16, kernelSize: 5, activation: "tanh"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax"));
        // conv 5·5·1·6 + 6 = 156 (28×28 same → pool 14) ; conv 5·5·6·16 + 16 = 2,416 (14 → 10 → pool 5);
        // flatten 5·5·16 = 400; dense 400·120 + 120 = 48,120; 120·84 + 84 = 10,164; 84·10 + 10 = 850.
        // Total 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
        Assert.That(model.CountParams(), Is.EqualTo(156 + 2_416 + 48_120 + 10_164 + 850).And.EqualTo(61_706));
        Assert.That(model.Layers[4].OutputShape, Is.EqualTo(new int?[] { null, 400 }));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var x = torch.rand(64, 28, 28, 1);
        var y = torch.randint(0, 10, [64], dtype: ScalarType.Int64);
        var before = model.GetWeights()[0];
        var history = model.Fit(x, y, batchSize: 64, epochs: 1, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(1));
        Assert.That(double.IsFinite(history["loss"][0]), Is.True);
        Assert.That(model.GetWeights()[0].allclose(before, 0, 0), Is.False, "one Adam step changed the first kernel");
    }
}
