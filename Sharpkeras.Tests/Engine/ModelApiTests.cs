using System.Text.RegularExpressions;
using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

public class ModelApiTests
{
    [SetUp]
    public void Setup() => Keras.ClearSession();

    [Test]
    public void SummaryHasKerasCountsAndTable()
    {
        var model = new Sequential(new Dense(64, activation: "relu", inputShape: [32]), new Dense(10, activation: "softmax"));
        var lines = model.SummaryLines();
        var text = string.Join("\n", lines);
        Assert.That(lines[0], Is.EqualTo("Model: \"sequential\""));
        Assert.That(text, Does.Contain("dense (Dense)"));
        Assert.That(text, Does.Contain("(None, 64)"));
        // 32*64 + 64 = 2,112 ; 64*10 + 10 = 650 ; total 2,762 params * 4 bytes = 11,048 B = 10.79 KB
        Assert.That(text, Does.Contain("2,112"));
        Assert.That(text, Does.Contain("650"));
        Assert.That(text, Does.Contain("Total params: 2,762 (10.79 KB)"));
        Assert.That(text, Does.Contain("Trainable params: 2,762 (10.79 KB)"));
        Assert.That(text, Does.Contain("Non-trainable params: 0 (0.00 B)"));
        Assert.That(model.CountParams(), Is.EqualTo(2762));
        var printed = new List<string>();
        model.Summary(printed.Add);
        Assert.That(printed, Is.EqualTo(lines));
    }

    [Test]
    public void LayerNamesFollowKeras()
    {
        var a = new Dense(1);
        var b = new Dense(1);
        var c = new Dropout(0.1);
        Assert.That((a.Name, b.Name, c.Name), Is.EqualTo(("dense", "dense_1", "dropout")));
        Assert.That(Sharpkeras.Engine.NameScope.ToSnakeCase("MaxPooling2D"), Is.EqualTo("max_pooling2d"));
        Assert.That(Sharpkeras.Engine.NameScope.ToSnakeCase("SimpleRNN"), Is.EqualTo("simple_rnn"));
        Assert.That(Sharpkeras.Engine.NameScope.ToSnakeCase("Conv2DTranspose"), Is.EqualTo("conv2d_transpose"));
    }

    [Test]
    public void FunctionalSharedLayerAndTwoInputsTwoOutputs()
    {
        var a = Keras.Input(shape: [4]);
        var b = Keras.Input(shape: [4]);
        var shared = new Dense(3, activation: "tanh");
        var ha = shared.Apply(a);
        var hb = shared.Apply(b);
        var outA = new Dense(1, name: "out_a").Apply(ha);
        var outB = new Dense(2, activation: "softmax", name: "out_b").Apply(hb);
        var model = new Model([a, b], [outA, outB]);
        // shared: 4*3+3 = 15 counted once; out_a 3+1 = 4; out_b 3*2+2 = 8 -> 27
        Assert.That(model.CountParams(), Is.EqualTo(27));
        Assert.That(model.Layers.Count, Is.EqualTo(5), "2 inputs + shared + 2 heads");
        model.Compile(optimizer: "adam", loss: new object[] { "mse", "sparse_categorical_crossentropy" }, metrics: ["accuracy"]);
        var xa = torch.randn(16, 4);
        var xb = torch.randn(16, 4);
        var ya = torch.randn(16, 1);
        var yb = torch.randint(0, 2, [16], dtype: ScalarType.Int64);
        var h = model.Fit([xa, xb], [ya, yb], batchSize: 8, epochs: 2, verbose: 0);
        Assert.That(h.Keys, Is.SupersetOf(new[] { "loss", "out_a_loss", "out_b_loss", "out_b_accuracy" }));
        var preds = model.Predict([xa, xb], verbose: 0);
        Assert.That(preds[0].shape, Is.EqualTo(new long[] { 16, 1 }));
        Assert.That(preds[1].shape, Is.EqualTo(new long[] { 16, 2 }));
        // Sharing: the same Dense gives identical outputs for identical inputs on both branches.
        var same = model.Predict([xa, xa], verbose: 0);
        Assert.That(same[0].shape[0], Is.EqualTo(16));
    }

    [Test]
    public void GraphDisconnectedIsReported()
    {
        var a = Keras.Input(shape: [4]);
        var b = Keras.Input(shape: [4]);
        var y = new Add2().Apply(a, b);
        var ex = Assert.Throws<ArgumentException>(() => new Model(a, y));
        Assert.That(ex!.Message, Does.Contain("Graph disconnected"));
    }

    private sealed class Add2 : Layer
    {
        public override Tensor Call(Tensor[] inputs, bool training) => inputs[0] + inputs[1];
    }

    private sealed class TwoLayerNet : Model
    {
        private readonly Dense _hidden = new(8, activation: "relu");
        private readonly Dense _out = new(1);

        public override Tensor Call(Tensor inputs, bool training) => _out.Apply(_hidden.Apply(inputs, training), training);
    }

    [Test]
    public void SubclassedModelTrainsAndTracksLayers()
    {
        Keras.Config.Seed(0);
        var model = new TwoLayerNet();
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.05), loss: "mse");
        var x = torch.randn(64, 3);
        var y = x.sum(1, keepdim: true);
        var h = model.Fit(x, y, batchSize: 16, epochs: 30, verbose: 0);
        Assert.That(model.Layers.Count, Is.EqualTo(2));
        Assert.That(model.CountParams(), Is.EqualTo(3 * 8 + 8 + 8 + 1));
        Assert.That(h["loss"][^1], Is.LessThan(h["loss"][0] * 0.2));
        Assert.That(model.state_dict().Keys, Does.Contain("dense.kernel"));
    }

    [Test]
    public void SeedMakesTrainingReproducible()
    {
        float[] Run()
        {
            Keras.Config.Seed(42);
            var m = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new Dropout(0.5), new Dense(1));
            m.Compile(optimizer: "adam", loss: "mse");
            var x = torch.randn(32, 4);
            var y = torch.randn(32, 1);
            m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
            return m.GetWeights().SelectMany(w => w.data<float>().ToArray()).ToArray();
        }
        Assert.That(Run(), Is.EqualTo(Run()));
    }

    [Test]
    public void ValidationSplitTakesTheLastSamples()
    {
        var model = new Sequential(new Dense(1, useBias: false, inputShape: [1]));
        model.Layers[0].SetWeights([torch.ones(1, 1)]);
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.0), loss: "mse");
        var x = torch.tensor(new float[] { 0, 0, 0, 2 }).reshape(4, 1);
        var y = torch.zeros(4, 1);
        // validationSplit 0.25 keeps samples 0..2 for training (loss 0) and sample 3 for validation (loss 4)
        var h = model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, validationSplit: 0.25);
        Assert.That(h["loss"][0], Is.EqualTo(0.0).Within(1e-6));
        Assert.That(h["val_loss"][0], Is.EqualTo(4.0).Within(1e-6));
        Assert.That(h["learning_rate"][0], Is.EqualTo(0.0));
        Assert.That(h.Epoch, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void ProgressLineWhenNotATerminal()
    {
        var model = new Sequential(new Dense(2, activation: "softmax", inputShape: [3]));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var sw = new StringWriter();
        model.Fit(torch.randn(10, 3), torch.randint(0, 2, [10], dtype: ScalarType.Int64), batchSize: 4, epochs: 2, verbose: 1,
            callbacks: [new ProgbarLogger(sw)]);
        var lines = sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0].TrimEnd(), Is.EqualTo("Epoch 1/2"));
        Assert.That(lines[1], Does.Match(@"^3/3 - \d+s - \d+(ms|us|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\s*$"));
        Assert.That(lines[2].TrimEnd(), Is.EqualTo("Epoch 2/2"));
    }

    [Test]
    public void ProgressBarRedrawsInPlaceOnATerminal()
    {
        var model = new Sequential(new Dense(1, inputShape: [3]));
        model.Compile(optimizer: "sgd", loss: "mse");
        var sw = new StringWriter();
        model.Fit(torch.randn(8, 3), torch.randn(8, 1), batchSize: 4, epochs: 1, verbose: 1,
            callbacks: [new ProgbarLogger(sw, interactive: true)]);
        var text = sw.ToString();
        Assert.That(text, Does.Contain("2/2 ━━━━━━━━━━━━━━━━━━━━ "));
        Assert.That(Regex.IsMatch(text, @"\r2/2 ━{20} \d+s \d+(ms|us|s)/step - loss: \d+\.\d{4}"), Is.True, text);
    }

    [Test]
    public void TrainTestPredictOnBatch()
    {
        var model = new Sequential(new Dense(2, activation: "softmax", inputShape: [3]));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var x = torch.randn(5, 3);
        var y = torch.tensor(new long[] { 0, 1, 0, 1, 1 });
        var t = model.TrainOnBatch(x, y);
        Assert.That(t.Keys, Is.EquivalentTo(new[] { "loss", "accuracy" }));
        var e = model.TestOnBatch(x, y);
        Assert.That(e["accuracy"], Is.InRange(0.0, 1.0));
        Assert.That(model.PredictOnBatch(x).shape, Is.EqualTo(new long[] { 5, 2 }));
        Assert.That(model.Predict(x, batchSize: 2, verbose: 0).sum(1).allclose(torch.ones(5)), Is.True);
    }

    [Test]
    public void GetSetWeightsInKerasOrder()
    {
        var model = new Sequential(new Dense(3, inputShape: [2]), new Dense(1));
        var w = model.GetWeights();
        Assert.That(w.Select(t => t.shape), Is.EqualTo(new[] { new long[] { 2, 3 }, new long[] { 3 }, new long[] { 3, 1 }, new long[] { 1 } }));
        var ex = Assert.Throws<ArgumentException>(() => model.SetWeights([torch.zeros(3, 2), w[1], w[2], w[3]]));
        Assert.That(ex!.Message, Does.Contain("dense/kernel").And.Contain("(2, 3)").And.Contain("(3, 2)"));
        model.SetWeights(w.Select(t => t + 1));
        Assert.That(model.GetWeights()[1].data<float>().ToArray(), Is.EqualTo(new[] { 1f, 1f, 1f }));
    }

    [Test]
    public void FrozenLayerMovesToNonTrainable()
    {
        var model = new Sequential(new Dense(3, inputShape: [2]), new Dense(1));
        model.Layers[0].Trainable = false;
        Assert.That(model.TrainableWeights.Count, Is.EqualTo(2));
        Assert.That(model.NonTrainableWeights.Count, Is.EqualTo(2));
        var before = model.Layers[0].GetWeights()[0].clone();
        model.Compile(optimizer: "sgd", loss: "mse");
        model.Fit(torch.randn(8, 2), torch.randn(8, 1), epochs: 2, verbose: 0);
        Assert.That(Kit.Same(model.Layers[0].GetWeights()[0], before), Is.True);
        Assert.That(string.Join("\n", model.SummaryLines()), Does.Contain("Non-trainable params: 9 (36.00 B)"));
    }

    [Test]
    public void ModelToDeviceKeepsWorking()
    {
        var model = new Sequential(new Dense(2, inputShape: [3]));
        model.To(torch.CPU);
        Assert.That(model.parameters().Count(), Is.EqualTo(2));
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(torch.randn(4, 3), torch.randn(4, 2), verbose: 0);
        Assert.That(model.Device.type, Is.EqualTo(DeviceType.CPU));
    }

    [Test]
    public void EagerApplyBuildsOnFirstUse()
    {
        var d = new Dense(4);
        Assert.That(d.Built, Is.False);
        var y = d.Apply(torch.ones(2, 5));
        Assert.That(d.Built, Is.True);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 4 }));
        Assert.That(d.CountParams(), Is.EqualTo(5 * 4 + 4));
        Assert.That(d.OutputShape, Is.EqualTo(new int?[] { null, 4 }));
    }

    [Test]
    public void SequentialTakesAKerasInputAsItsFirstEntryAsKerasDoes()
    {
        // Keras: Sequential([Input(shape=(5,)), Dense(4)]) — built at once, no inputShape argument needed.
        var model = new Sequential(Keras.Input([5]), new Dense(4));
        Assert.That(model.Layers, Has.Count.EqualTo(1), "the input layer is not listed, as in Keras");
        Assert.That(model.CountParams(), Is.EqualTo(5 * 4 + 4));
        Assert.That(model.Predict(torch.ones(2, 5), verbose: 0).shape, Is.EqualTo(new long[] { 2, 4 }));
        var added = new Sequential();
        added.Add(Keras.Input([3]));
        added.Add(new Dense(1));
        Assert.That(added.CountParams(), Is.EqualTo(4));
        // Only an input tensor can stand for a layer.
        var hidden = new Dense(2).Apply(Keras.Input([3]));
        var e = Assert.Throws<ArgumentException>(() => new Sequential(hidden, new Dense(1)))!;
        Assert.That(e.Message, Does.Contain("Keras.Input").And.Contain("dense"));
    }
}
