using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers;
using Sharpkeras.Optimizers.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Schedules;

public class ScheduleInFitTests
{
    [Test]
    public void TorchLearningRateFollowsTheScheduleEveryStep()
    {
        Keras.Config.Seed(3);
        var schedule = new ExponentialDecay(0.1, decaySteps: 2, decayRate: 0.5);
        var optimizer = new SGD(learningRate: schedule);
        var model = new Sequential(new Dense(1, inputShape: [2]));
        model.Compile(optimizer: optimizer, loss: "mse");
        var x = torch.rand(8, 2);
        var y = torch.rand(8, 1);
        var seenAtBegin = new List<(long iterations, double torchLr)>();
        var seenAtEnd = new List<(long iterations, double torchLr)>();
        double TorchLr() => model.Optimizer!.TorchOptimizer!.ParamGroups.First().LearningRate;
        var probe = new LambdaCallback(
            onTrainBatchBegin: (_, _) =>
            {
                if (model.Optimizer!.TorchOptimizer != null) seenAtBegin.Add((model.Optimizer.Iterations, TorchLr()));
            },
            onTrainBatchEnd: (_, _) => seenAtEnd.Add((model.Optimizer!.Iterations, TorchLr())));
        var history = model.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false, callbacks: [probe]);

        // 8 samples / batch 4 = 2 steps per epoch, 6 steps; step s (0-based) ran with lr = 0.1·0.5^(s/2).
        Assert.That(seenAtEnd.Select(e => e.iterations), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
        for (int s = 0; s < 6; s++)
            Assert.That(seenAtEnd[s].torchLr, Is.EqualTo(0.1 * Math.Pow(0.5, s / 2.0)).Within(1e-12), $"step {s}");
        // before step s (s >= 1) the torch optimizer still holds the rate of step s-1
        Assert.That(seenAtBegin, Has.Count.EqualTo(5));
        foreach (var (iterations, torchLr) in seenAtBegin)
            Assert.That(torchLr, Is.EqualTo(schedule.Evaluate(iterations - 1)).Within(1e-12));

        // epoch logs carry the rate the next step will use: after epoch e, 2(e+1) steps were applied
        Assert.That(history.ContainsKey("learning_rate"));
        Assert.That(history["learning_rate"], Is.EqualTo(new[] { 0.05, 0.025, 0.0125 }).Within(1e-12)); // 0.1·0.5^(2(e+1)/2)
    }
}
