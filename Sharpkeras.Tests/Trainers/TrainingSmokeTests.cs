using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

public class TrainingSmokeTests
{
    [Test]
    public void SequentialDenseLearnsXor()
    {
        Keras.Config.Seed(1);
        var x = torch.tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }).reshape(4, 2);
        var y = torch.tensor(new long[] { 0, 1, 1, 0 });
        var model = new Sequential(
            new Dense(16, activation: "tanh", inputShape: [2]),
            new Dense(2, activation: "softmax"));
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.05), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 4, epochs: 150, verbose: 0);
        Assert.That(history["loss"].Count, Is.EqualTo(150));
        Assert.That(history["loss"][^1], Is.LessThan(history["loss"][0]));
        var scores = model.Evaluate(x, y, verbose: 0);
        Assert.That(scores["accuracy"], Is.EqualTo(1.0));
    }
}
