using NUnit.Framework;
using Sharpkeras.Distribution;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>
/// The second-round names of the public API contract (shared/docs/api.md), written exactly as code outside the project
/// writes them — with their argument names — so a rename breaks the build here first.
/// </summary>
public class ApiContractTests
{
    [SetUp]
    public void Setup() => Keras.ClearSession();

    [TearDown]
    public void TearDown() => Keras.Config.SetDTypePolicy("float32");

    [Test]
    public void RecurrentNames()
    {
        var rnn = new RNN(new SimpleRNNCell(4, activation: "tanh"), returnSequences: false, returnState: false, goBackwards: false,
            stateful: false, unroll: false, zeroOutputForMask: false);
        var stacked = new RNN(new StackedRNNCells([new LSTMCell(3), new GRUCell(2, resetAfter: true)]));
        var input = Keras.Input([5, 2]);
        var model = new Model(input, [rnn.Apply(input), stacked.Apply(input)]);
        var outputs = model.Predict([torch.ones(3, 5, 2)], verbose: 0);
        Assert.That(outputs[0].shape, Is.EqualTo(new long[] { 3, 4 }));
        Assert.That(outputs[1].shape, Is.EqualTo(new long[] { 3, 2 }));
        var stateful = new LSTM(2, stateful: true);
        var s = new Sequential(Keras.Input([4, 1], batchSize: 2), stateful);
        s.Predict(torch.ones(2, 4, 1), verbose: 0);
        stateful.ResetStates();
        Assert.That(new ConvLSTM2D(2, 3).Filters, Is.EqualTo(2));
    }

    [Test]
    public void OptimizerMixedPrecisionInteropAndDistributionNames()
    {
        var opt = new Sharpkeras.Optimizers.Adam(globalClipnorm: 1.0, useEma: true, emaMomentum: 0.99, emaOverwriteFrequency: 10,
            gradientAccumulationSteps: 2, lossScaleFactor: 4.0);
        opt.ExcludeFromWeightDecay(varNames: ["bias"]);
        Assert.That(new object[] { new Sharpkeras.Optimizers.Lion(), new Sharpkeras.Optimizers.Adafactor(), new Sharpkeras.Optimizers.Ftrl(),
            new Sharpkeras.Optimizers.Lamb() }, Has.Length.EqualTo(4));
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        Assert.That(Keras.Config.DTypePolicy().Name, Is.EqualTo("mixed_bfloat16"));
        Keras.Config.SetDTypePolicy("float32");
        Assert.That(new Sharpkeras.Data.Dataset[] { Sharpkeras.Data.Dataset.FromTensorSlices(torch.arange(10)).Shard(numShards: 2, index: 0) }, Has.Length.EqualTo(1));
        Assert.That(Keras.Distribution.Current, Is.Null);
        Assert.That(typeof(DataParallel).IsSubclassOf(typeof(DistributionStrategy)), Is.True);
        Assert.That(new Sharpkeras.Losses.BinaryFocalCrossentropy(reduction: "sum"), Is.Not.Null);
        Assert.That(new Sharpkeras.Metrics.R2Score(), Is.Not.Null);
        Assert.That(new Sharpkeras.Metrics.F1Score(), Is.Not.Null);
        Assert.That(new Sharpkeras.Metrics.MeanIoU(numClasses: 3), Is.Not.Null);
        Assert.That(new Sharpkeras.Losses.MeanAbsolutePercentageError(), Is.Not.Null);
    }
}
