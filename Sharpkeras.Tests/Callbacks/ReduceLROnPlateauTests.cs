using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

public class ReduceLROnPlateauTests
{
    [Test]
    public void ReducesAfterPatienceWithCooldownAndFloor()
    {
        // Keras's algorithm with a flat val_loss, lr 0.1, factor 0.5, patience 1, cooldown 2, minLr 0.02, minDelta 0:
        // e0 best | e1 wait 1 → 0.05, cooldown 2 | e2 cooldown → 1 | e3 cooldown → 0, wait 1 → 0.025 | e4 | e5 → max(0.0125, 0.02) = 0.02
        // | e6 | e7 lr is not above minLr: no change
        var model = SmallModel(learningRate: 0.1);
        var cb = new ReduceLROnPlateau(factor: 0.5, patience: 1, cooldown: 2, minLr: 0.02, minDelta: 0, verbose: 1);
        cb.SetModel(model);
        cb.OnTrainBegin(new Dictionary<string, double>());
        var loggedLr = new List<double>();
        var after = new List<double>();
        var (stdout, _) = Capture(() =>
        {
            for (int epoch = 0; epoch < 8; epoch++)
            {
                var logs = Logs(("val_loss", 1.0));
                cb.OnEpochEnd(epoch, logs);
                loggedLr.Add(logs["learning_rate"]);
                after.Add(model.Optimizer!.LearningRate);
            }
        });
        Assert.That(after, Is.EqualTo(new[] { 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02 }).Within(1e-15));
        Assert.That(loggedLr, Is.EqualTo(new[] { 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02 }).Within(1e-15)); // before the reduction
        Assert.That(stdout, Does.Contain("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05."));
        Assert.That(stdout, Does.Contain("Epoch 4: ReduceLROnPlateau reducing learning rate to 0.025."));
        Assert.That(stdout, Does.Contain("Epoch 6: ReduceLROnPlateau reducing learning rate to 0.02."));
        Assert.That(stdout.Split("ReduceLROnPlateau reducing").Length - 1, Is.EqualTo(3));
    }

    [Test]
    public void ImprovementsBeyondMinDeltaResetTheWait()
    {
        var model = SmallModel(learningRate: 0.1);
        var cb = new ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0.01);
        cb.SetModel(model);
        cb.OnTrainBegin(new Dictionary<string, double>());
        // 1.0 best | 0.98 improves (< 0.99) | 0.975 no (wait 1) | 0.96 improves | 0.955 wait 1 | 0.951 wait 2 → reduce
        double[] values = [1.0, 0.98, 0.975, 0.96, 0.955, 0.951];
        var lrs = new List<double>();
        for (int e = 0; e < values.Length; e++)
        {
            cb.OnEpochEnd(e, Logs(("val_loss", values[e])));
            lrs.Add(model.Optimizer!.LearningRate);
        }
        Assert.That(lrs, Is.EqualTo(new[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.05 }).Within(1e-15));
    }

    [Test]
    public void ReducesDuringARealFit()
    {
        // zero inputs and no bias: the output and the loss never change, so "loss" plateaus from epoch 1 on
        Keras.ClearSession();
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [2]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.1), loss: "mse");
        double torchLrInLastEpoch = 0;
        var probe = new LambdaCallback(onTrainBatchEnd: (_, _) => torchLrInLastEpoch = model.Optimizer!.TorchOptimizer!.ParamGroups.First().LearningRate);
        var history = model.Fit(torch.zeros(4, 2), torch.ones(4, 1), batchSize: 2, epochs: 3, verbose: 0,
            callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 1, minDelta: 0), probe]);
        Assert.That(history["learning_rate"], Is.EqualTo(new[] { 0.1, 0.1, 0.05 }).Within(1e-15));
        Assert.That(torchLrInLastEpoch, Is.EqualTo(0.05).Within(1e-15));
        Assert.That(model.Optimizer!.LearningRate, Is.EqualTo(0.025).Within(1e-15));
    }

    [Test]
    public void UnknownMonitorWarnsOnce()
    {
        var model = SmallModel();
        var cb = new ReduceLROnPlateau(monitor: "val_acc", patience: 0);
        cb.SetModel(model);
        cb.OnTrainBegin(new Dictionary<string, double>());
        var (_, stderr) = Capture(() =>
        {
            cb.OnEpochEnd(0, Logs(("loss", 1.0)));
            cb.OnEpochEnd(1, Logs(("loss", 1.0)));
        });
        const string msg = "Learning rate reduction is conditioned on metric `val_acc` which is not available. Available metrics are: loss,learning_rate.";
        Assert.That(stderr.Split(msg).Length - 1, Is.EqualTo(1));
        Assert.That(model.Optimizer!.LearningRate, Is.EqualTo(0.1));
    }

    [Test]
    public void BadArgumentsThrowBeforeTraining()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1.0))!;
        Assert.That(e.ParamName, Is.EqualTo("factor"));
        Assert.That(e.Message, Does.Contain("ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: -0.5));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(patience: -1))!.ParamName, Is.EqualTo("patience"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(cooldown: -1))!.ParamName, Is.EqualTo("cooldown"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minLr: -1))!.ParamName, Is.EqualTo("minLr"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(mode: "up"))!.ParamName, Is.EqualTo("mode"));
    }
}
