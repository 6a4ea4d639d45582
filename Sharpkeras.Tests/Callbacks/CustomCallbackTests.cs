using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;

namespace Sharpkeras.Tests.Callbacks;

public class CustomCallbackTests
{
    /// <summary>A user callback: records every hook and the epoch-end log keys, lowers the learning rate, stops training.</summary>
    private sealed class Recorder : Callback
    {
        public List<string> Hooks { get; } = new();
        public List<string[]> EpochLogKeys { get; } = new();
        public List<double> TorchLrPerBatch { get; } = new();

        public override void OnTrainBegin(IDictionary<string, double> logs) => Hooks.Add("on_train_begin");
        public override void OnTrainEnd(IDictionary<string, double> logs) => Hooks.Add("on_train_end");
        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => Hooks.Add($"on_epoch_begin {epoch}");
        public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => Hooks.Add($"on_train_batch_begin {batch}");
        public override void OnTestBegin(IDictionary<string, double> logs) => Hooks.Add("on_test_begin");
        public override void OnTestBatchBegin(int batch, IDictionary<string, double> logs) => Hooks.Add($"on_test_batch_begin {batch}");
        public override void OnTestBatchEnd(int batch, IDictionary<string, double> logs) => Hooks.Add($"on_test_batch_end {batch}");
        public override void OnTestEnd(IDictionary<string, double> logs) => Hooks.Add($"on_test_end [{string.Join(",", logs.Keys.Order())}]");

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
        {
            Hooks.Add($"on_train_batch_end {batch}");
            TorchLrPerBatch.Add(Model!.Optimizer!.TorchOptimizer!.ParamGroups.First().LearningRate);
        }

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            Hooks.Add($"on_epoch_end {epoch}");
            EpochLogKeys.Add(logs.Keys.Order(StringComparer.Ordinal).ToArray());
            if (epoch == 0) Model!.Optimizer!.LearningRate = 0.05;   // takes effect from the next step
            if (epoch == 1) Model!.StopTraining = true;              // stops after this epoch
        }
    }

    [Test]
    public void HooksLogsLearningRateAndStopTraining()
    {
        Keras.ClearSession();
        Keras.Config.Seed(2);
        var model = new Sequential(new Dense(2, activation: "softmax", inputShape: [3]));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.1), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var recorder = new Recorder();
        var history = model.Fit(torch.rand(4, 3), torch.tensor(new long[] { 0, 1, 0, 1 }), batchSize: 2, epochs: 5, verbose: 0,
            validationData: (torch.rand(2, 3), torch.tensor(new long[] { 1, 0 })), callbacks: [recorder]);

        string[] epoch(int e) =>
        [
            $"on_epoch_begin {e}",
            "on_train_batch_begin 0", "on_train_batch_end 0", "on_train_batch_begin 1", "on_train_batch_end 1",
            "on_test_begin", "on_test_batch_begin 0", "on_test_batch_end 0", "on_test_end [accuracy,loss]",
            $"on_epoch_end {e}",
        ];
        Assert.That(recorder.Hooks, Is.EqualTo(new[] { "on_train_begin" }.Concat(epoch(0)).Concat(epoch(1)).Append("on_train_end")));
        foreach (var keys in recorder.EpochLogKeys)
            Assert.That(keys, Is.EqualTo(new[] { "accuracy", "learning_rate", "loss", "val_accuracy", "val_loss" }));
        Assert.That(history["learning_rate"], Is.EqualTo(new[] { 0.1, 0.05 }));
        Assert.That(recorder.TorchLrPerBatch, Is.EqualTo(new[] { 0.1, 0.1, 0.05, 0.05 }));
        Assert.That(history.Epoch, Is.EqualTo(new[] { 0, 1 }));     // 5 epochs asked, stopped after epoch 1
        Assert.That(recorder.Model, Is.SameAs(model));
        Assert.That(recorder.Params["epochs"], Is.EqualTo(5));
        Assert.That(recorder.Params["steps"], Is.EqualTo(2));
    }
}
