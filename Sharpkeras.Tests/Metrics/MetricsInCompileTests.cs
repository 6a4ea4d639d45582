using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Metrics;

public class MetricsInCompileTests
{
    [Test]
    public void AliasesWorkInCompileAndMatchTheirDefinitions()
    {
        Keras.Config.Seed(7);
        var model = new Sequential(new Dense(1, activation: "sigmoid", inputShape: [3]));
        model.Compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["mae", "mse", "rmse", "precision", "recall", "auc"]);
        var x = torch.randn(16, 3);
        var y = torch.tensor(new float[] { 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0 }).reshape(16, 1);
        var scores = model.Evaluate(x, y, batchSize: 5, verbose: 0);
        Assert.That(scores.Keys, Is.SupersetOf(new[] { "loss", "mae", "mse", "rmse", "precision", "recall", "auc" }));

        var p = model.Predict(x, verbose: 0);
        var err = (p - y).to(ScalarType.Float64);
        Assert.That(scores["mae"], Is.EqualTo(err.abs().mean().item<double>()).Within(1e-6));
        Assert.That(scores["mse"], Is.EqualTo(err.square().mean().item<double>()).Within(1e-6));
        Assert.That(scores["rmse"], Is.EqualTo(Math.Sqrt(err.square().mean().item<double>())).Within(1e-6));
        var pred = p.gt(0.5).to(ScalarType.Float64);
        var yt = y.to(ScalarType.Float64);
        double tp = (pred * yt).sum().item<double>(), fp = (pred * (1 - yt)).sum().item<double>(), fn = ((1 - pred) * yt).sum().item<double>();
        Assert.That(scores["precision"], Is.EqualTo(tp + fp == 0 ? 0 : tp / (tp + fp)).Within(1e-6));
        Assert.That(scores["recall"], Is.EqualTo(tp + fn == 0 ? 0 : tp / (tp + fn)).Within(1e-6));
        Assert.That(scores["auc"], Is.InRange(0.0, 1.0));
    }
}
