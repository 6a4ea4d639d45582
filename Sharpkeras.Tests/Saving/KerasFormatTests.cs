using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using PureHDF;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

/// <summary>Keras 3's native <c>.keras</c> format and <c>.weights.h5</c> files.</summary>
public class KerasFormatTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 5;


    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Saving", "KerasFixtures", name);

    private static (Tensor x, Tensor y) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        var e = doc.RootElement.GetProperty(name);
        Tensor Read(string key)
        {
            var shape = e.GetProperty(key + "_shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var values = new List<float>();
            void Walk(JsonElement j)
            {
                if (j.ValueKind == JsonValueKind.Array) foreach (var c in j.EnumerateArray()) Walk(c);
                else values.Add((float)j.GetDouble());
            }
            Walk(e.GetProperty(key));
            return torch.tensor(values.ToArray(), shape);
        }
        return (Read("x"), Read("y"));
    }

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Test]
    public void KerasSequentialCnnFilePredictsAsComputedFromTheLayerDefinitions()
    {
        var model = Model.Load(Fixture("sequential_cnn.keras"));
        Assert.That(model, Is.TypeOf<Sequential>());
        Assert.That(model.Layers.Select(l => l.GetType()),
            Is.EqualTo(new[] { typeof(Conv2D), typeof(BatchNormalization), typeof(MaxPooling2D), typeof(Flatten), typeof(Dense) }));
        var (x, y) = Expected("sequential_cnn");
        Assert.That(MaxDiff(model.Predict(x, verbose: 0), y), Is.LessThan(1e-5));
        Assert.That(model.Compiled, Is.True);
        var adam = (Sharpkeras.Optimizers.Adam)model.Optimizer!;
        Assert.That(adam.LearningRate, Is.EqualTo(0.002).Within(1e-12));
    }

    [Test]
    public void KerasFunctionalLstmGruFilePredictsAsComputedFromTheCellEquations()
    {
        var model = Model.Load(Fixture("functional_rnn.keras"), compile: false);
        Assert.That(model.IsFunctional, Is.True);
        Assert.That(model.Name, Is.EqualTo("rnn_model"));
        Assert.That(model.GetLayer("lstm"), Is.TypeOf<LSTM>());
        Assert.That(model.GetLayer("gru"), Is.TypeOf<GRU>());
        var (x, y) = Expected("functional_rnn");
        Assert.That(MaxDiff(model.Predict(x, verbose: 0), y), Is.LessThan(1e-5));
    }

    private static Model CnnModel()
    {
        var input = Keras.Input(shape: [8, 8, 2]);
        var h = new Conv2D(4, 3, padding: "same", activation: "relu").Apply(input);
        h = new BatchNormalization().Apply(h);
        h = new MaxPool2D(2).Apply(h);
        var a = new SeparableConv2D(4, 3, padding: "same").Apply(h);
        var b = new DepthwiseConv2D(3, padding: "same").Apply(h);
        h = new Add().Apply(a, b);
        h = new Conv2DTranspose(3, 2, strides: 2).Apply(h);
        h = new GlobalAveragePooling2D().Apply(h);
        var output = new Dense(3, activation: "softmax").Apply(h);
        return new Model(input, output, name: "cnn");
    }

    private static Model SequenceModel()
    {
        var input = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var h = new Embedding(20, 8).Apply(input);
        h = new LSTM(6, returnSequences: true).Apply(h);
        h = new GRU(8, returnSequences: true).Apply(h);
        h = new Bidirectional(new SimpleRNN(4, returnSequences: true)).Apply(h);
        h = new MultiHeadAttention(numHeads: 2, keyDim: 3).Apply(h, h);
        h = new LayerNormalization().Apply(h);
        h = new GlobalAveragePooling1D().Apply(h);
        var output = new Dense(1, activation: "sigmoid").Apply(h);
        return new Model(input, output, name: "seq");
    }

    private static void Randomize(Model model)
    {
        using var _ = torch.no_grad();
        foreach (var v in model.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
    }

    [Test]
    public void SharpkerasToKerasFileToSharpkerasIsBitIdentical([Values("cnn", "seq")] string which)
    {
        var model = which == "cnn" ? CnnModel() : SequenceModel();
        Randomize(model);
        model.Compile(optimizer: new Sharpkeras.Optimizers.RMSprop(learningRate: 0.003), loss: "mse", metrics: ["mae"]);
        var x = which == "cnn" ? torch.randn(3, 8, 8, 2) : torch.randint(1, 20, [3, 6], dtype: ScalarType.Int64);
        var path = Path.Combine(Dir, which + ".keras");
        model.Save(path);

        var loaded = Model.Load(path);
        // Aliases (MaxPool2D) come back as Keras's canonical class (MaxPooling2D).
        Assert.That(loaded.Layers.Select(l => l.GetType().Name), Is.EqualTo(model.Layers.Select(l => Sharpkeras.Saving.KerasFormat.KerasNames.ClassName(l.GetType()))));
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
        Assert.That(BitEqual(model.Predict(x, verbose: 0), loaded.Predict(x, verbose: 0)), Is.True);
        Assert.That(loaded.Optimizer, Is.TypeOf<Sharpkeras.Optimizers.RMSprop>());
        Assert.That(loaded.Optimizer!.LearningRate, Is.EqualTo(0.003).Within(1e-12));
    }

    [Test]
    public void SavedFileHasKerasLayout()
    {
        var model = CnnModel();
        Randomize(model);
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var path = Path.Combine(Dir, "layout.keras");
        model.Save(path);

        var entries = ReadZip(path).ToDictionary(e => e.Name, e => e.Data);
        Assert.That(entries.Keys, Is.EquivalentTo(new[] { "metadata.json", "config.json", "model.weights.h5" }));
        var meta = JsonNode.Parse(entries["metadata.json"])!;
        Assert.That(meta["keras_version"]!.GetValue<string>(), Does.StartWith("3."));
        Assert.That(meta["date_saved"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}$"));

        var cfg = JsonNode.Parse(entries["config.json"])!;
        Assert.That(cfg["module"]!.GetValue<string>(), Is.EqualTo("keras.src.models.functional"));
        Assert.That(cfg["class_name"]!.GetValue<string>(), Is.EqualTo("Functional"));
        Assert.That(cfg["registered_name"]!.GetValue<string>(), Is.EqualTo("Functional"));
        var layers = cfg["config"]!["layers"]!.AsArray();
        var conv = layers.Single(l => l!["class_name"]!.GetValue<string>() == "Conv2D")!;
        Assert.That(conv["module"]!.GetValue<string>(), Is.EqualTo("keras.layers"));
        Assert.That(conv["registered_name"], Is.Null);
        Assert.That(conv["config"]!["dtype"]!["class_name"]!.GetValue<string>(), Is.EqualTo("DTypePolicy"));
        Assert.That(conv["build_config"]!["input_shape"]!.ToJsonString(), Is.EqualTo("[null,8,8,2]"));
        var arg = conv["inbound_nodes"]![0]!["args"]![0]!;
        Assert.That(arg["class_name"]!.GetValue<string>(), Is.EqualTo("__keras_tensor__"));
        Assert.That(arg["config"]!["shape"]!.ToJsonString(), Is.EqualTo("[null,8,8,2]"));
        Assert.That(arg["config"]!["keras_history"]![1]!.GetValue<int>(), Is.EqualTo(0));
        // A merge layer is called with a list of tensors: args = [[t1, t2]].
        var add = layers.Single(l => l!["class_name"]!.GetValue<string>() == "Add")!;
        Assert.That(add["inbound_nodes"]![0]!["args"]![0]!.AsArray().Count, Is.EqualTo(2));
        // Keras's canonical class names, not Sharpkeras's aliases.
        Assert.That(layers.Any(l => l!["class_name"]!.GetValue<string>() == "MaxPooling2D"), Is.True);
        Assert.That(cfg["config"]!["input_layers"]![0]!.GetValue<string>(), Is.Not.Null, "a single input is written as one [name, node, index] triple");
        var cc = cfg["compile_config"]!;
        Assert.That(cc["optimizer"]!["module"]!.GetValue<string>(), Is.EqualTo("keras.optimizers"));
        Assert.That(cc["optimizer"]!["class_name"]!.GetValue<string>(), Is.EqualTo("Adam"));
        Assert.That(cc["metrics"]![0]!.GetValue<string>(), Is.EqualTo("accuracy"));

        // HDF5: layers/<snake_case class name>/vars/<index>, BatchNormalization's moving statistics third and fourth.
        using var h5 = H5File.Open(new MemoryStream(entries["model.weights.h5"]), leaveOpen: false);
        var kernel = h5.Dataset("layers/conv2d/vars/0");
        Assert.That(kernel.Space.Dimensions, Is.EqualTo(new ulong[] { 3, 3, 2, 4 }));
        var bn = (BatchNormalization)model.Layers.Single(l => l is BatchNormalization);
        Assert.That(h5.Group("layers/batch_normalization/vars").Children().Count(), Is.EqualTo(4));
        var movingMean = h5.Dataset("layers/batch_normalization/vars/2").Read<float[]>();
        Assert.That(movingMean, Is.EqualTo(bn.Variables.Single(v => v.Name == "moving_mean").ToKerasLayout().data<float>().ToArray()));
        Assert.That(h5.LinkExists("layers/separable_conv2d/vars/2"), Is.True);
        Assert.That(h5.LinkExists("layers/dense/vars/1"), Is.True);

        var seq = SequenceModel();
        var path2 = Path.Combine(Dir, "seq.keras");
        seq.Save(path2);
        using var h52 = H5File.Open(new MemoryStream(ReadZip(path2).Single(e => e.Name == "model.weights.h5").Data), leaveOpen: false);
        Assert.That(h52.Dataset("layers/lstm/cell/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 8, 24 }));
        Assert.That(h52.Dataset("layers/gru/cell/vars/2").Space.Dimensions, Is.EqualTo(new ulong[] { 2, 24 }), "GRU (reset_after) keeps two bias rows");
        Assert.That(h52.LinkExists("layers/bidirectional/forward_layer/cell/vars/1"), Is.True);
        Assert.That(h52.LinkExists("layers/bidirectional/backward_layer/cell/vars/1"), Is.True);
        Assert.That(h52.Dataset("layers/multi_head_attention/_query_dense/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 8, 2, 3 }));
        Assert.That(h52.Dataset("layers/multi_head_attention/_output_dense/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 2, 3, 8 }));
        Assert.That(h52.Dataset("layers/embedding/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 20, 8 }));
    }

    [Test]
    public void WeightGroupsFollowKerasLayerOrderNotCreationOrder()
    {
        // Keras orders a Functional model's layers by depth (longest distance to an output), deepest first, ties in
        // the order a depth-first walk from the outputs first meets them. Here: a = Dense(3) has depth 3; Dense(5) on a
        // and b = Dense(5) have depth 2 (walked in that order: the Add's first operand first); the Add 1; the head 0.
        var x = Keras.Input(shape: [4]);
        var b = new Dense(5).Apply(x); // created first, but named after a
        var a = new Dense(3).Apply(x);
        var model = new Model(x, new Dense(2).Apply(new Add().Apply(new Dense(5).Apply(a), b)));
        var path = Path.Combine(Dir, "order.weights.h5");
        model.SaveWeights(path);
        using var h5 = H5File.OpenRead(path);
        Assert.That(h5.Dataset("layers/dense/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 4, 3 }));
        Assert.That(h5.Dataset("layers/dense_1/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 3, 5 }));
        Assert.That(h5.Dataset("layers/dense_2/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 4, 5 }));
        Assert.That(h5.Dataset("layers/dense_3/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 5, 2 }));
    }

    [Test]
    public void WeightsH5RoundTripsIntoAFreshModel()
    {
        var model = SequenceModel();
        Randomize(model);
        var path = Path.Combine(Dir, "w.weights.h5");
        model.SaveWeights(path);
        var other = SequenceModel(); // different auto-generated layer names: the file does not depend on them
        Assert.That(other.Layers[2].Name, Is.Not.EqualTo(model.Layers[2].Name));
        other.LoadWeights(path);
        AssertWeightsBitEqual(model.GetWeights(), other.GetWeights());

        var kpath = Path.Combine(Dir, "m.keras");
        model.Save(kpath);
        var third = SequenceModel();
        third.LoadWeights(kpath);
        AssertWeightsBitEqual(model.GetWeights(), third.GetWeights());
    }

    [Test]
    public void LoadingWeightsOfAnotherShapeFailsNamingTheWeightAndChangesNothing()
    {
        var small = new Sequential([new Dense(3, inputShape: [4]), new Dense(2)]);
        var path = Path.Combine(Dir, "small.weights.h5");
        small.SaveWeights(path);
        var big = new Sequential([new Dense(5, inputShape: [4]), new Dense(2)]);
        var before = big.GetWeights();
        var e = Assert.Throws<InvalidDataException>(() => big.LoadWeights(path))!;
        Assert.That(e.Message, Does.Contain("layers/dense/vars/0").And.Contain("(4, 3)").And.Contain("(4, 5)"));
        AssertWeightsBitEqual(before, big.GetWeights());
    }

    [Test]
    public void ModelCheckpointWritesKerasFiles()
    {
        var model = new Sequential([new Dense(4, activation: "relu", inputShape: [3]), new Dense(1)]);
        model.Compile(optimizer: "sgd", loss: "mse");
        var (x, y) = (torch.randn(8, 3), torch.randn(8, 1));
        var full = Path.Combine(Dir, "ck-{epoch:02d}.keras");
        var weights = Path.Combine(Dir, "w-{epoch:02d}.weights.h5");
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0,
            callbacks: [new Sharpkeras.Callbacks.ModelCheckpoint(full), new Sharpkeras.Callbacks.ModelCheckpoint(weights, saveWeightsOnly: true)]);
        var loaded = Model.Load(Path.Combine(Dir, "ck-02.keras"));
        Assert.That(BitEqual(model.Predict(x, verbose: 0), loaded.Predict(x, verbose: 0)), Is.True);
        var fresh = new Sequential([new Dense(4, activation: "relu", inputShape: [3]), new Dense(1)]);
        fresh.LoadWeights(Path.Combine(Dir, "w-02.weights.h5"));
        AssertWeightsBitEqual(model.GetWeights(), fresh.GetWeights());
    }

    private string Rewrite(string source, Func<List<(string Name, byte[] Data)>, List<(string Name, byte[] Data)>> change)
    {
        var path = Path.Combine(Dir, Guid.NewGuid().ToString("N")[..8] + ".keras");
        WriteZip(path, change(ReadZip(source)));
        return path;
    }

    private static List<(string, byte[])> EditConfig(List<(string Name, byte[] Data)> entries, Func<string, string> edit) =>
        entries.Select(e => e.Name == "config.json" ? (e.Name, Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(e.Data)))) : (e.Name, e.Data)).ToList();

    [Test]
    public void HostileFilesAreRejectedWithClearErrors()
    {
        var good = Fixture("sequential_cnn.keras");

        var unknown = Rewrite(good, es => EditConfig(es, s => s.Replace("\"class_name\": \"Flatten\"", "\"class_name\": \"EvilLayer\"")));
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(unknown))!.Message, Does.Contain("EvilLayer"));

        var dotnetType = Rewrite(good, es => EditConfig(es, s => s.Replace("\"module\": \"keras.layers\", \"class_name\": \"Flatten\"",
            "\"module\": \"System.Diagnostics\", \"class_name\": \"Process\"")));
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(dotnetType))!.Message, Does.Contain("Process"));

        var traversal = Rewrite(good, es => [.. es, ("../../evil.txt", "x"u8.ToArray())]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(traversal))!.Message, Does.Contain("unsafe entry name"));

        var assets = Rewrite(good, es => [.. es, ("assets/vocab.txt", "x"u8.ToArray())]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(assets))!.Message, Does.Contain("assets/vocab.txt"));

        var truncated = Rewrite(good, es => es.Select(e => e.Name == "model.weights.h5" ? (e.Name, e.Data[..(e.Data.Length / 2)]) : e).ToList());
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(truncated))!.Message, Does.Contain("model.weights.h5"));

        var noWeights = Rewrite(good, es => es.Where(e => e.Name != "model.weights.h5").ToList());
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(noWeights))!.Message, Does.Contain("model.weights.h5"));

        var notJson = Rewrite(good, es => es.Select(e => e.Name == "config.json" ? (e.Name, "{not json"u8.ToArray()) : e).ToList());
        Assert.That(Assert.Throws<InvalidDataException>(() => Model.Load(notJson))!.Message, Does.Contain("config.json"));

        // A dataset declared (2^20, 2^20) with no data: refused by its shape before anything is read.
        var giant = Assert.Throws<InvalidDataException>(() => Model.Load(Fixture("giant_dataset.keras")))!;
        Assert.That(giant.Message, Does.Contain("(1048576, 1048576)").And.Contain("(4, 2)"));

        // A config asking for a layer far larger than the file's weights: refused before allocating it.
        var huge = Assert.Throws<InvalidDataException>(() => Model.Load(Fixture("giant_layer.keras")))!;
        Assert.That(huge.Message, Does.Contain("more values than the file's weights hold"));
    }

    private static IEnumerable<TestCaseData> Applications()
    {
        yield return new TestCaseData("LeNet5", (Func<Model>)(() => Sharpkeras.Applications.LeNet5()), new long[] { 2, 28, 28, 1 });
        yield return new TestCaseData("ResNet18", (Func<Model>)(() => Sharpkeras.Applications.ResNet18(inputShape: [32, 32, 3], classes: 10)), new long[] { 2, 32, 32, 3 });
        yield return new TestCaseData("GoogLeNet", (Func<Model>)(() => Sharpkeras.Applications.GoogLeNet(inputShape: [32, 32, 3], classes: 10)), new long[] { 1, 32, 32, 3 });
        yield return new TestCaseData("TransformerClassifier",
            (Func<Model>)(() => Sharpkeras.Applications.TransformerClassifier(vocabSize: 50, maxLen: 12)), new long[] { 2, 12 });
    }

    [TestCaseSource(nameof(Applications))]
    public void ApplicationNetworksRoundTripWithIdenticalPredictions(string name, Func<Model> make, long[] inputShape)
    {
        var model = make();
        var x = inputShape.Length == 2 ? torch.randint(0, 50, inputShape, dtype: ScalarType.Int64) : torch.rand(inputShape);
        var path = Path.Combine(Dir, name + ".keras");
        model.Save(path);
        var loaded = Model.Load(path);
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
        Assert.That(BitEqual(model.Predict(x, verbose: 0), loaded.Predict(x, verbose: 0)), Is.True);
    }
}
