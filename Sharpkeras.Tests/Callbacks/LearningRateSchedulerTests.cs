using NUnit.Framework;
using Sharpkeras.Callbacks;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

public class LearningRateSchedulerTests
{
    private static (List<double> history, List<double> torchLrPerEpoch, string stdout) FitWith(Func<int, double, double> schedule, int epochs, int verbose = 0)
    {
        var model = SmallModel(learningRate: 0.1);
        var torchLr = new List<double>();
        var probe = new LambdaCallback(onEpochEnd: (_, _) => torchLr.Add(model.Optimizer!.TorchOptimizer!.ParamGroups.First().LearningRate));
        History? h = null;
        var (stdout, _) = Capture(() => h = model.Fit(torch.rand(4, 2), torch.rand(4, 1), batchSize: 2, epochs: epochs, verbose: 0,
            callbacks: [new LearningRateScheduler(schedule, verbose), probe]));
        return (h!["learning_rate"], torchLr, stdout);
    }

    [Test]
    public void ExponentialDecayAfterTwoEpochsAsAOneLiner()
    {
        // Keras's documented scheduler: keep lr for the first epochs, then lr·e^-0.1 per epoch
        var (history, torchLr, _) = FitWith((epoch, lr) => epoch < 2 ? lr : lr * Math.Exp(-0.1), epochs: 4);
        double[] expected = [0.1, 0.1, 0.1 * Math.Exp(-0.1), 0.1 * Math.Exp(-0.2)];   // 0.1, 0.1, 0.0904837, 0.0818731
        Assert.That(history, Is.EqualTo(expected).Within(1e-15));
        Assert.That(torchLr, Is.EqualTo(expected).Within(1e-15));                     // the rate the steps of that epoch used
    }

    [Test]
    public void CosineAnnealingAsAOneLiner()
    {
        const double lr0 = 0.1; const int epochs = 4;
        var (history, torchLr, _) = FitWith((epoch, _) => 0.5 * lr0 * (1 + Math.Cos(Math.PI * epoch / epochs)), epochs);
        // ½·0.1·(1 + cos(πe/4)): 0.1, 0.0853553, 0.05, 0.0146447
        double[] expected = [0.1, 0.05 * (1 + Math.Sqrt(0.5)), 0.05, 0.05 * (1 - Math.Sqrt(0.5))];
        Assert.That(history, Is.EqualTo(expected).Within(1e-15));
        Assert.That(torchLr, Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void VerbosePrintsKerasMessage()
    {
        var (_, _, stdout) = FitWith((epoch, lr) => lr / 2, epochs: 2, verbose: 1);
        Assert.That(stdout, Does.Contain("\nEpoch 1: LearningRateScheduler setting learning rate to 0.05."));
        Assert.That(stdout, Does.Contain("\nEpoch 2: LearningRateScheduler setting learning rate to 0.025."));
    }

    [Test]
    public void BadScheduleOutputThrows()
    {
        var e = Assert.Throws<ArgumentException>(() => FitWith((_, _) => double.NaN, epochs: 1))!;
        Assert.That(e.Message, Does.Contain("The output of the `schedule` function"));
        Assert.Throws<ArgumentNullException>(() => new LearningRateScheduler(null!));
    }
}
