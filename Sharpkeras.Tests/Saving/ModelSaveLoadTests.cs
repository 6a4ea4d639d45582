using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Losses;
using Sharpkeras.Optimizers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

public class ModelSaveLoadTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 3;


    private static (Tensor x, Tensor y) Data(int n = 16, int features = 4, int classes = 3) =>
        (torch.randn(n, features), torch.randint(0, classes, [n], dtype: ScalarType.Int64));

    [Test]
    public void SequentialRoundTripPredictsBitIdenticallyAndKeepsCompileConfig()
    {
        var model = SmallSequential();
        model.Compile(optimizer: new Adam(learningRate: 0.01, beta1: 0.8), loss: new SparseCategoricalCrossentropy(), metrics: ["accuracy"]);
        var (x, y) = Data();
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
        var path = Path.Combine(Dir, "seq.skeras");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.That(loaded, Is.TypeOf<Sequential>());
        Assert.That(loaded.Layers.Select(l => l.Name), Is.EqualTo(model.Layers.Select(l => l.Name)));
        Assert.That(loaded.Layers.Select(l => l.GetType()), Is.EqualTo(new[] { typeof(Dense), typeof(Dropout), typeof(Dense) }));
        Assert.That(((Dense)loaded.Layers[0]).ActivationName, Is.EqualTo("relu"));
        Assert.That(((Dropout)loaded.Layers[1]).Rate, Is.EqualTo(0.5));
        Assert.That(BitEqual(model.Predict(x, verbose: 0), loaded.Predict(x, verbose: 0)), Is.True);
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());

        Assert.That(loaded.Compiled, Is.True);
        var opt = (Adam)loaded.Optimizer!;
        Assert.That(opt.LearningRate, Is.EqualTo(0.01));
        Assert.That(opt.Beta1, Is.EqualTo(0.8));
        Assert.That(opt.Iterations, Is.EqualTo(8)); // 2 epochs of 16/4 = 4 batches
        var scores = loaded.Evaluate(x, y, verbose: 0);
        Assert.That(scores.Keys, Is.EquivalentTo(new[] { "loss", "accuracy" }));
        Assert.That(scores["loss"], Is.EqualTo(model.Evaluate(x, y, verbose: 0)["loss"]));
    }

    [Test]
    public void ConfigJsonHasKerasLayoutAndVersions()
    {
        var model = SmallSequential();
        model.Compile(optimizer: "sgd", loss: "mse");
        var path = Path.Combine(Dir, "seq.skeras");
        model.Save(path);
        var entries = ReadZip(path);
        Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[] { "config.json", "model.safetensors" })); // optimizer not built yet
        using var doc = JsonDocument.Parse(entries[0].Data);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("format_version").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("library_version").GetString(), Is.EqualTo(Keras.Version));
        Assert.That(root.GetProperty("class_name").GetString(), Is.EqualTo("Sequential"));
        var layers = root.GetProperty("config").GetProperty("layers").EnumerateArray().ToList();
        Assert.That(layers.Select(l => l.GetProperty("class_name").GetString()), Is.EqualTo(new[] { "InputLayer", "Dense", "Dropout", "Dense" }));
        Assert.That(Compact(layers[0].GetProperty("config").GetProperty("batch_shape")), Is.EqualTo("[null,4]"));
        var dense = layers[1].GetProperty("config");
        Assert.That(dense.GetProperty("units").GetInt32(), Is.EqualTo(8));
        Assert.That(dense.GetProperty("activation").GetString(), Is.EqualTo("relu"));
        var cc = root.GetProperty("compile_config");
        Assert.That(cc.GetProperty("optimizer").GetProperty("class_name").GetString(), Is.EqualTo("SGD"));
        Assert.That(cc.GetProperty("optimizer").GetProperty("config").GetProperty("learning_rate").GetRawText(), Is.EqualTo("0.01"));
        Assert.That(cc.GetProperty("loss")[0].GetProperty("class_name").GetString(), Is.EqualTo("MeanSquaredError"));
    }

    private static Model TwoInputSharedModel()
    {
        var a = Keras.Input(shape: [4], name: "in_a");
        var b = Keras.Input(shape: [4], name: "in_b");
        var shared = new Dense(5, activation: "tanh", name: "shared");
        var ha = shared.Apply(a);
        var hb = shared.Apply(b);
        var merged = new SumTwo(name: "sum").Apply(ha, hb);
        var out1 = new Dense(3, activation: "softmax", name: "cls").Apply(merged);
        var out2 = new Dense(1, name: "reg").Apply(hb);
        return new Model([a, b], [out1, out2], name: "two_in");
    }

    [Test]
    public void FunctionalWithTwoInputsSharedLayerAndTwoOutputsRoundTrips()
    {
        var model = TwoInputSharedModel();
        model.Compile(optimizer: "adam", loss: new object[] { "sparse_categorical_crossentropy", "mse" }, lossWeights: [1.0, 0.5]);
        var xa = torch.randn(8, 4);
        var xb = torch.randn(8, 4);
        model.Fit([xa, xb], [torch.randint(0, 3, [8], dtype: ScalarType.Int64), torch.randn(8, 1)], batchSize: 4, epochs: 1, verbose: 0);
        var path = Path.Combine(Dir, "f.skeras");
        model.Save(path);

        using (var doc = JsonDocument.Parse(ReadZip(path)[0].Data))
        {
            var cfg = doc.RootElement.GetProperty("config");
            Assert.That(doc.RootElement.GetProperty("class_name").GetString(), Is.EqualTo("Functional"));
            var shared = cfg.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "shared");
            // The shared layer is called twice: node 0 on in_a, node 1 on in_b.
            Assert.That(Compact(shared.GetProperty("inbound_nodes")), Is.EqualTo("[[[\"in_a\",0,0]],[[\"in_b\",0,0]]]"));
            var sum = cfg.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "sum");
            Assert.That(Compact(sum.GetProperty("inbound_nodes")), Is.EqualTo("[[[\"shared\",0,0],[\"shared\",1,0]]]"));
            Assert.That(sum.GetProperty("registered_name").GetString(), Is.EqualTo("SavingTests>SumTwo"));
            Assert.That(Compact(cfg.GetProperty("input_layers")), Is.EqualTo("[[\"in_a\",0,0],[\"in_b\",0,0]]"));
            Assert.That(Compact(cfg.GetProperty("output_layers")), Is.EqualTo("[[\"cls\",0,0],[\"reg\",0,0]]"));
        }

        var loaded = Model.Load(path);
        Assert.That(loaded.IsFunctional, Is.True);
        Assert.That(loaded.InputCount, Is.EqualTo(2));
        Assert.That(loaded.OutputCount, Is.EqualTo(2));
        var sharedLoaded = loaded.GetLayer("shared");
        Assert.That(sharedLoaded.InboundNodes.Count, Is.EqualTo(2));
        Assert.That(loaded.GetWeights().Count, Is.EqualTo(model.GetWeights().Count)); // shared weights once
        var x2a = torch.randn(5, 4);
        var x2b = torch.randn(5, 4);
        var p1 = model.Predict([x2a, x2b], verbose: 0);
        var p2 = loaded.Predict([x2a, x2b], verbose: 0);
        Assert.That(BitEqual(p1[0], p2[0]) && BitEqual(p1[1], p2[1]), Is.True);
    }

    [Test]
    public void NestedSequentialInsideFunctionalRoundTrips()
    {
        var inner = new Sequential([new Dense(6, activation: "relu", inputShape: [4]), new Dense(3)], name: "block");
        var input = Keras.Input(shape: [4]);
        var output = new Dense(2, name: "head").Apply(inner.Apply(input));
        var model = new Model(input, output);
        var path = Path.Combine(Dir, "n.skeras");
        model.Save(path);
        var wpath = Path.Combine(Dir, "n.safetensors");
        model.SaveWeights(wpath);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(wpath).AsSpan(8, (int)BitConverter.ToUInt64(File.ReadAllBytes(wpath), 0)).ToArray()))
            Assert.That(doc.RootElement.TryGetProperty("block/dense/kernel", out _), Is.True, "nested weights are named by their layer path");

        var loaded = Model.Load(path);
        Assert.That(loaded.GetLayer("block"), Is.TypeOf<Sequential>());
        var x = torch.randn(3, 4);
        Assert.That(BitEqual(model.PredictOnBatch(x), loaded.PredictOnBatch(x)), Is.True);
    }

    [Test]
    public void SubclassedRegisteredModelRoundTrips()
    {
        var model = new TwoTowerNet(7);
        var x = torch.randn(6, 5);
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(x, torch.randn(6, 2), batchSize: 3, epochs: 1, verbose: 0);
        var path = Path.Combine(Dir, "s.skeras");
        model.Save(path);

        // In a "fresh process" its inner layers get other automatic names; loading still matches them.
        var loaded = Model.Load(path);
        Assert.That(loaded, Is.TypeOf<TwoTowerNet>());
        Assert.That(((TwoTowerNet)loaded).Units, Is.EqualTo(7));
        Assert.That(loaded.Name, Is.EqualTo(model.Name));
        Assert.That(BitEqual(model.PredictOnBatch(x), loaded.PredictOnBatch(x)), Is.True);
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
    }

    [Test]
    public void UnregisteredClassFailsWithItsNameAndCustomObjectsFixIt()
    {
        var model = new UnregisteredNet();
        model.PredictOnBatch(torch.randn(2, 3));
        var path = Path.Combine(Dir, "u.skeras");
        model.Save(path);
        var ex = Assert.Throws<InvalidDataException>(() => Model.Load(path))!;
        Assert.That(ex.Message, Does.Contain("UnregisteredNet").And.Contain("RegisterSerializable"));
        var loaded = Model.Load(path, customObjects: new Dictionary<string, Type> { ["UnregisteredNet"] = typeof(UnregisteredNet) });
        var x = torch.randn(2, 3);
        Assert.That(BitEqual(model.PredictOnBatch(x), loaded.PredictOnBatch(x)), Is.True);
    }

    [Test]
    public void RegisterByCallWorks()
    {
        var name = Serialization.Register<RegisteredByCallNet>("ByCall", package: "Tests");
        Assert.That(name, Is.EqualTo("Tests>ByCall"));
        Assert.That(Serialization.GetRegisteredName(typeof(RegisteredByCallNet)), Is.EqualTo("Tests>ByCall"));
        Assert.That(Serialization.GetRegisteredType("Tests>ByCall"), Is.EqualTo(typeof(RegisteredByCallNet)));
        Assert.Throws<ArgumentException>(() => Serialization.Register<TwoTowerNet>("ByCall", package: "Tests"));
        Assert.Throws<ArgumentException>(() => Serialization.Register(typeof(string)));
    }

    [Test]
    public void TrainingContinuesBitIdenticallyAfterLoad([Values("adam", "sgd_momentum")] string optimizer)
    {
        var model = new Sequential(new Dense(6, activation: "tanh", inputShape: [4]), new Dense(3, activation: "softmax"));
        Optimizer opt = optimizer == "adam" ? new Adam(learningRate: 0.05) : new SGD(learningRate: 0.1, momentum: 0.9, nesterov: true);
        model.Compile(optimizer: opt, loss: "sparse_categorical_crossentropy");
        var (x, y) = Data(12);
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        var path = Path.Combine(Dir, "t.skeras");
        model.Save(path);
        var entries = ReadZip(path);
        Assert.That(entries.Select(e => e.Name), Does.Contain("optimizer.safetensors"));
        var optFile = entries.Single(e => e.Name == "optimizer.safetensors").Data;
        var (header, _, _) = ReadRaw(optFile);
        using (header)
        {
            var names = header.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.That(names, Does.Contain("iterations"));
            Assert.That(names, Does.Contain(optimizer == "adam" ? "dense/kernel/exp_avg_sq" : "dense/kernel/momentum_buffer"));
        }

        var loaded = Model.Load(path);
        Assert.That(loaded.Optimizer!.Iterations, Is.EqualTo(3));
        for (int i = 0; i < 2; i++)
        {
            model.TrainOnBatch(x, y);
            loaded.TrainOnBatch(x, y);
        }
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());

        // Without the optimizer state the next step differs (so the check above is meaningful).
        var fresh = Model.Load(path, compile: false);
        fresh.Compile(optimizer: optimizer == "adam" ? new Adam(learningRate: 0.05) : new SGD(learningRate: 0.1, momentum: 0.9, nesterov: true),
            loss: "sparse_categorical_crossentropy");
        var again = Model.Load(path);
        fresh.TrainOnBatch(x, y);
        again.TrainOnBatch(x, y);
        Assert.That(BitEqual(fresh.GetWeights()[0], again.GetWeights()[0]), Is.False);
    }

    [Test]
    public void LossMetricObjectsScheduleAndFrozenLayersRoundTrip()
    {
        var model = new Sequential(new Dense(6, activation: "tanh", inputShape: [4], name: "frozen"), new Dense(3, name: "head"));
        model.Layers[0].Trainable = false;
        var schedule = new HalvingSchedule(0.1, 2);
        model.Compile(optimizer: new SGD(learningRate: schedule, momentum: 0.5),
            loss: new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 2),
            metrics: [new Sharpkeras.Metrics.SparseCategoricalAccuracy(name: "acc")]);
        var (x, y) = Data(12);
        for (int i = 0; i < 3; i++) model.TrainOnBatch(x, y);
        var path = Path.Combine(Dir, "o.skeras");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.That(loaded.Layers[0].Trainable, Is.False);
        Assert.That(loaded.NonTrainableWeights.Select(v => v.Name), Is.EqualTo(new[] { "kernel", "bias" }));
        var opt = (SGD)loaded.Optimizer!;
        Assert.That(opt.Schedule, Is.TypeOf<HalvingSchedule>());
        Assert.That(((HalvingSchedule)opt.Schedule!).HalveEvery, Is.EqualTo(2));
        Assert.That(opt.LearningRate, Is.EqualTo(0.05)); // step 3: 0.1 * 0.5^(3 / 2) = 0.1 * 0.5
        Assert.That(opt.Momentum, Is.EqualTo(0.5));
        var scores = loaded.Evaluate(x, y, verbose: 0);
        Assert.That(scores.Keys, Is.EquivalentTo(new[] { "loss", "acc" }));
        Assert.That(scores["loss"], Is.EqualTo(model.Evaluate(x, y, verbose: 0)["loss"]));
        model.TrainOnBatch(x, y);
        loaded.TrainOnBatch(x, y);
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
    }

    [Test]
    public void LoadWithoutCompileGivesAnUncompiledModel()
    {
        var model = SmallSequential();
        model.Compile(optimizer: "adam", loss: "mse");
        var path = Path.Combine(Dir, "c.skeras");
        model.Save(path);
        Assert.That(Model.Load(path, compile: false).Compiled, Is.False);
    }

    // ------------------------------------------------------------------------------ versions

    private static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    [Test]
    public void FormatVersion0FileStillLoads()
    {
        var model = SmallSequential();
        model.Compile(optimizer: new Adam(learningRate: 0.02), loss: "sparse_categorical_crossentropy");
        var (x, y) = Data();
        model.TrainOnBatch(x, y);
        var path = Path.Combine(Dir, "v1.skeras");
        model.Save(path);

        // Version 0 (defined by this format's history): no format_version/library_version, the compile
        // config under "training_config" with "optimizer_config", and no optimizer state entry.
        var entries = ReadZip(path);
        var root = JsonNode.Parse(entries[0].Data)!.AsObject();
        root.Remove("format_version");
        root.Remove("library_version");
        var cc = root["compile_config"]!.AsObject();
        root.Remove("compile_config");
        var opt = cc["optimizer"]!;
        cc.Remove("optimizer");
        cc["optimizer_config"] = opt;
        root["training_config"] = cc;
        var v0 = Path.Combine(Dir, "v0.skeras");
        WriteZip(v0, [("config.json", Json(root)), entries.Single(e => e.Name == "model.safetensors")]);

        var loaded = Model.Load(v0);
        Assert.That(loaded.Compiled, Is.True);
        Assert.That(((Adam)loaded.Optimizer!).LearningRate, Is.EqualTo(0.02));
        Assert.That(loaded.Optimizer!.Iterations, Is.EqualTo(0));
        Assert.That(BitEqual(model.PredictOnBatch(x), loaded.PredictOnBatch(x)), Is.True);
    }

    [Test]
    public void NewerFormatVersionIsRejected()
    {
        var path = Path.Combine(Dir, "m.skeras");
        SmallSequential().Save(path);
        var entries = ReadZip(path);
        var root = JsonNode.Parse(entries[0].Data)!.AsObject();
        root["format_version"] = 2;
        WriteZip(path, [("config.json", Json(root)), entries[1]]);
        var ex = Assert.Throws<InvalidDataException>(() => Model.Load(path))!;
        Assert.That(ex.Message, Does.Contain("format_version 2").And.Contain("reads up to 1"));
    }
}
