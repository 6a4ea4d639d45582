using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Callbacks.CallbackTestUtil;

namespace Sharpkeras.Tests.Callbacks;

public class SimpleCallbackTests
{
    private static (Model model, List<int> batches) ExplodingModel()
    {
        Keras.ClearSession();
        Keras.Config.Seed(5);
        var model = new Sequential(new Dense(1, inputShape: [1]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 1e30), loss: "mse");
        return (model, new List<int>());
    }

    [Test]
    public void TerminateOnNaNStopsTraining()
    {
        var (model, batches) = ExplodingModel();
        var counter = new LambdaCallback(onTrainBatchEnd: (b, _) => batches.Add(b));
        History? h = null;
        var (stdout, _) = Capture(() => h = model.Fit(torch.ones(16, 1), torch.ones(16, 1), batchSize: 1, epochs: 3, verbose: 0, shuffle: false,
            callbacks: [new TerminateOnNaN(), counter]));
        // lr 1e30 makes the weights overflow within a few steps; training stops after the batch with the non-finite loss
        Assert.That(model.StopTraining, Is.True);
        Assert.That(h!["loss"], Has.Count.EqualTo(1));
        Assert.That(batches.Count, Is.LessThan(16));
        Assert.That(stdout, Does.Contain($"Batch {batches[^1]}: Invalid loss, terminating training"));
    }

    [Test]
    public void TerminateOnNaNCanThrow()
    {
        var (model, _) = ExplodingModel();
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(torch.ones(16, 1), torch.ones(16, 1), batchSize: 1, epochs: 1, verbose: 0, callbacks: [new TerminateOnNaN(raiseError: true)]))!;
        Assert.That(e.Message, Does.Contain("NaN or Inf loss encountered at batch"));
    }

    [Test]
    public void LambdaCallbackCallsTheGivenFunctions()
    {
        var model = SmallModel();
        var calls = new List<string>();
        var cb = new LambdaCallback(
            onTrainBegin: _ => calls.Add("train_begin"),
            onEpochBegin: (e, _) => calls.Add($"epoch_begin {e}"),
            onTrainBatchEnd: (b, logs) => calls.Add($"batch_end {b} {logs.ContainsKey("loss")}"),
            onEpochEnd: (e, logs) => calls.Add($"epoch_end {e} {logs.ContainsKey("loss")}"),
            onTrainEnd: _ => calls.Add("train_end"));
        model.Fit(torch.rand(4, 2), torch.rand(4, 1), batchSize: 2, epochs: 2, verbose: 0, callbacks: [cb]);
        Assert.That(calls, Is.EqualTo(new[]
        {
            "train_begin",
            "epoch_begin 0", "batch_end 0 True", "batch_end 1 True", "epoch_end 0 True",
            "epoch_begin 1", "batch_end 0 True", "batch_end 1 True", "epoch_end 1 True",
            "train_end",
        }));
        var predicted = 0;
        model.Predict(torch.rand(3, 2), batchSize: 2, verbose: 0, callbacks: [new LambdaCallback(onPredictBatchEnd: (_, _) => predicted++)]);
        Assert.That(predicted, Is.EqualTo(2));
    }
}
