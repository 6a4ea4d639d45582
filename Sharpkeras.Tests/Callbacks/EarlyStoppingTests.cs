using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Metrics;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

/// <summary>
/// Scripted histories fed to <c>OnEpochEnd</c> with a real compiled model; the expected stopping epoch is worked out
/// with Keras 3's algorithm (wait += 1 each epoch; an improvement resets it only if it also beats the baseline; stop when
/// wait >= patience and epoch > 0).
/// </summary>
public class EarlyStoppingTests
{
    /// <summary>Feeds the values; returns the epoch at which StopTraining became true, or -1.</summary>
    private static int Run(EarlyStopping es, Model model, string key, params double[] values)
    {
        es.SetModel(model);
        model.StopTraining = false;
        es.OnTrainBegin(new Dictionary<string, double>());
        for (int epoch = 0; epoch < values.Length; epoch++)
        {
            es.OnEpochEnd(epoch, Logs(("loss", 1.0), (key, values[epoch])));
            if (model.StopTraining) return epoch;
        }
        return -1;
    }

    [Test]
    public void StopsWhenPatienceIsExceeded()
    {
        var model = SmallModel();
        // e0 best 1.0 | e1 best 0.9 | e2 0.95: wait 1 | e3 0.92: wait 2 >= 2 → stop at epoch 3
        var es = new EarlyStopping(patience: 2);
        Assert.That(Run(es, model, "val_loss", 1.0, 0.9, 0.95, 0.92, 0.91, 0.5), Is.EqualTo(3));
        Assert.That(es.StoppedEpoch, Is.EqualTo(3));
        Assert.That(es.Best, Is.EqualTo(0.9));
        // patience 0 stops at the first epoch without improvement (never at epoch 0)
        Assert.That(Run(new EarlyStopping(), model, "val_loss", 1.0, 0.9, 0.9), Is.EqualTo(2));
        Assert.That(Run(new EarlyStopping(), model, "val_loss", 1.0, 1.1), Is.EqualTo(1));
    }

    [Test]
    public void MinDeltaMustBeExceeded()
    {
        var model = SmallModel();
        // minDelta 0.1: 0.95 is not < 1.0 - 0.1 → no improvement, wait 1 >= 1 → stop at epoch 1
        Assert.That(Run(new EarlyStopping(minDelta: 0.1, patience: 1), model, "val_loss", 1.0, 0.95, 0.5), Is.EqualTo(1));
        // 0.89 < 0.9 is an improvement → e1 resets; e2 0.85 is not < 0.79 → stop at 2
        Assert.That(Run(new EarlyStopping(minDelta: -0.1, patience: 1), model, "val_loss", 1.0, 0.89, 0.85), Is.EqualTo(2));
        // without minDelta 0.95 improves
        Assert.That(Run(new EarlyStopping(patience: 1), model, "val_loss", 1.0, 0.95, 0.9), Is.EqualTo(-1));
    }

    [Test]
    public void BaselineMustBeBeatenToResetTheWait()
    {
        var model = SmallModel();
        // baseline 0.5, patience 2: e0 0.8 improves on nothing but not on the baseline (wait stays 1);
        // e1 0.85: wait 2 >= 2 → stop at epoch 1 (without the baseline, e0 resets the wait, e1 has wait 1: no stop)
        Assert.That(Run(new EarlyStopping(patience: 2, baseline: 0.5), model, "val_loss", 0.8, 0.85), Is.EqualTo(1));
        Assert.That(Run(new EarlyStopping(patience: 2), model, "val_loss", 0.8, 0.85), Is.EqualTo(-1));
        // Keras returns early on every improvement, so a steadily improving run is not stopped even above the baseline:
        // e0..e3 improve (wait 1, 2, 3, 4), e4 0.58 does not: wait 5 >= 2 → stop at 4
        Assert.That(Run(new EarlyStopping(patience: 2, baseline: 0.5), model, "val_loss", 0.8, 0.7, 0.6, 0.55, 0.58), Is.EqualTo(4));
        // a value that beats the baseline resets the wait: e0 0.4 (wait 0), e1 wait 1, e2 wait 2 → stop at 2
        Assert.That(Run(new EarlyStopping(patience: 2, baseline: 0.5), model, "val_loss", 0.4, 0.45, 0.42, 0.41), Is.EqualTo(2));
    }

    [Test]
    public void ModeMaxAndAutoForAccuracy()
    {
        var model = SmallModel();
        // max: e1 0.6 > 0.5 improves; e2 0.6 is not > 0.6 → wait 1 >= 1 → stop at 2
        Assert.That(Run(new EarlyStopping(monitor: "val_accuracy", mode: "max", patience: 1), model, "val_accuracy", 0.5, 0.6, 0.6), Is.EqualTo(2));
        // auto picks "max" for accuracy: 0.6 improves on 0.5 (a "min" rule would stop at epoch 1)
        Assert.That(Run(new EarlyStopping(monitor: "val_accuracy"), model, "val_accuracy", 0.5, 0.6, 0.55), Is.EqualTo(2));
        // auto picks "min" for loss and error metrics
        Assert.That(Run(new EarlyStopping(monitor: "mae"), model, "mae", 0.5, 0.4, 0.45), Is.EqualTo(2));
        // min on an accuracy: 0.6 is no improvement → stop at 1
        Assert.That(Run(new EarlyStopping(monitor: "val_accuracy", mode: "min"), model, "val_accuracy", 0.5, 0.6), Is.EqualTo(1));
    }

    [Test]
    public void AutoModeReadsTheDirectionOfTheModelsMetricObjects()
    {
        Keras.ClearSession();
        var model = new Sequential(new Sharpkeras.Layers.Dense(1, activation: "sigmoid", inputShape: [2]));
        model.Compile(optimizer: "sgd", loss: "binary_crossentropy",
            metrics: [new AUC(name: "area"), new MeanMetricWrapper((t, p) => p.mean([-1L]), "mean_pred")]);
        model.Evaluate(torch.rand(4, 2), torch.ones(4, 1), verbose: 0); // builds the metrics
        // "area" is an AUC: maximised
        Assert.That(Run(new EarlyStopping(monitor: "val_area"), model, "val_area", 0.5, 0.6, 0.55), Is.EqualTo(2));
        // a metric of unknown direction in auto mode: Keras's error
        var e = Assert.Throws<InvalidOperationException>(() => Run(new EarlyStopping(monitor: "val_mean_pred"), model, "val_mean_pred", 0.5))!;
        Assert.That(e.Message, Does.Contain("isn't able to automatically determine whether that metric should be maximized or minimized"));
    }

    [Test]
    public void StartFromEpochSkipsTheWarmUp()
    {
        var model = SmallModel();
        // epochs 0 and 1 are ignored; e2 is the first best; e3 does not improve → stop at 3
        Assert.That(Run(new EarlyStopping(startFromEpoch: 2), model, "val_loss", 1.0, 2.0, 3.0, 4.0), Is.EqualTo(3));
        Assert.That(Run(new EarlyStopping(), model, "val_loss", 1.0, 2.0, 3.0, 4.0), Is.EqualTo(1));
    }

    [Test]
    public void RestoresTheBestEpochsWeightsAndPrintsKerasMessages()
    {
        var model = SmallModel();
        var es = new EarlyStopping(patience: 2, restoreBestWeights: true, verbose: 1);
        es.SetModel(model);
        es.OnTrainBegin(new Dictionary<string, double>());
        double[] valLoss = [1.0, 0.5, 0.7, 0.8];
        int stopped = -1;
        for (int epoch = 0; epoch < valLoss.Length && stopped < 0; epoch++)
        {
            Fill(model, epoch + 1);                       // the weights "trained" in epoch e are all e + 1
            es.OnEpochEnd(epoch, Logs(("val_loss", valLoss[epoch])));
            if (model.StopTraining) stopped = epoch;
        }
        Assert.That(stopped, Is.EqualTo(3));              // e2 wait 1, e3 wait 2
        var (stdout, _) = Capture(() => es.OnTrainEnd(new Dictionary<string, double>()));
        Assert.That(WeightValues(model), Is.EqualTo(new[] { 2f }));   // epoch 1's weights
        Assert.That(es.BestEpoch, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("Epoch 4: early stopping"));
        Assert.That(stdout, Does.Contain("Restoring model weights from the end of the best epoch: 2."));
    }

    [Test]
    public void StopsARealFitAndRestoresWeights()
    {
        // learning rate 0: the loss never improves, so training stops at epoch 1 (patience 1) of 10
        var model = SmallModel(learningRate: 0.0);
        var x = torch.rand(8, 2);
        var y = torch.rand(8, 1);
        var before = model.GetWeights();
        var history = model.Fit(x, y, batchSize: 4, epochs: 10, verbose: 0, validationData: (x, y),
            callbacks: [new EarlyStopping(patience: 1, restoreBestWeights: true)]);
        Assert.That(history["loss"], Has.Count.EqualTo(2));
        Assert.That(history.Epoch, Is.EqualTo(new[] { 0, 1 }));
        var after = model.GetWeights();
        for (int i = 0; i < before.Count; i++) Assert.That(after[i].eq(before[i]).all().item<bool>());
    }

    [Test]
    public void UnknownMonitorWarnsOnceInKerasWordsAndDoesNotStop()
    {
        var model = SmallModel();
        var es = new EarlyStopping(monitor: "val_los", patience: 0);
        int stopped = 0;
        var (_, stderr) = Capture(() => stopped = Run(es, model, "val_loss", 1.0, 2.0, 3.0));
        Assert.That(stopped, Is.EqualTo(-1));
        const string msg = "Early stopping conditioned on metric `val_los` which is not available. Available metrics are: loss,val_loss";
        Assert.That(stderr, Does.Contain(msg));
        Assert.That(stderr.Split(msg).Length - 1, Is.EqualTo(1));
    }

    [Test]
    public void BadArgumentsThrowBeforeTraining()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1))!.ParamName, Is.EqualTo("patience"));
        Assert.That(Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "maximum"))!.ParamName, Is.EqualTo("mode"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(startFromEpoch: -2))!.ParamName, Is.EqualTo("startFromEpoch"));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(baseline: double.NaN));
    }
}
