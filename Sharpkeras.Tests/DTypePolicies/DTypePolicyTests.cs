using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.DTypePolicies;

/// <summary>
/// Keras's dtype policies (DTypePolicy.cs, KerasConfig.DTypePolicy.cs): names, the global policy, and what a layer does
/// under "mixed_bfloat16": float32 weights, computation and outputs in bfloat16. Expected values are worked by hand
/// with numbers that bfloat16 holds exactly (8 significant bits), plus inputs that bfloat16 must round.
/// </summary>
[NonParallelizable]
public class DTypePolicyTests
{
    [TearDown]
    public void ResetPolicy() => Keras.Config.ResetDTypePolicy();

    [TestCase("mixed_bfloat16", ScalarType.BFloat16, ScalarType.Float32)]
    [TestCase("mixed_float16", ScalarType.Float16, ScalarType.Float32)]
    [TestCase("float32", ScalarType.Float32, ScalarType.Float32)]
    [TestCase("float64", ScalarType.Float64, ScalarType.Float64)]
    [TestCase("bfloat16", ScalarType.BFloat16, ScalarType.BFloat16)]
    [TestCase("int64", ScalarType.Int64, ScalarType.Int64)]
    public void NamesGiveKerasComputeAndVariableTypes(string name, ScalarType compute, ScalarType variable)
    {
        var p = new DTypePolicy(name);
        Assert.That(p.Name, Is.EqualTo(name));
        Assert.That(p.ComputeDType, Is.EqualTo(compute));
        Assert.That(p.VariableDType, Is.EqualTo(variable));
        Assert.That(p.IsMixed, Is.EqualTo(compute != variable));
        Assert.That(p.ToString(), Is.EqualTo($"<DTypePolicy \"{name}\">"));
        DTypePolicy fromString = name;
        Assert.That(fromString, Is.EqualTo(p));
    }

    [TestCase("mixed_float32")]
    [TestCase("Float32")]
    [TestCase("float")]
    [TestCase("")]
    public void BadNamesThrowListingTheValidOnes(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new DTypePolicy(name))!;
        Assert.That(e.ParamName, Is.EqualTo("name"));
        Assert.That(e.Message, Does.Contain($"'{name}'"));
        foreach (var valid in new[] { "'mixed_float16'", "'mixed_bfloat16'", "'float32'", "'float64'" })
            Assert.That(e.Message, Does.Contain(valid));
        Assert.Throws<ArgumentException>(() => Keras.Config.SetDTypePolicy(name));
        Assert.That(Keras.Config.DTypePolicy().Name, Is.EqualTo("float32"), "a refused name leaves the global policy as it was");
    }

    [Test]
    public void GlobalPolicyAppliesToLayersCreatedAfterIt()
    {
        Assert.That(Keras.Config.DTypePolicy().Name, Is.EqualTo("float32"));
        var before = new Dense(2);
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        Assert.That(Keras.Config.DTypePolicy(), Is.EqualTo(new DTypePolicy("mixed_bfloat16")));
        Assert.That(new DTypePolicy().Name, Is.EqualTo("mixed_bfloat16"), "no name: the global policy");
        var after = new Dense(2);
        var own = new Dense(2, dtype: "float32");
        Assert.That(before.DTypePolicy.Name, Is.EqualTo("float32"));
        Assert.That(after.DTypePolicy.Name, Is.EqualTo("mixed_bfloat16"));
        Assert.That((after.DType, after.VariableDType, after.ComputeDType), Is.EqualTo((ScalarType.Float32, ScalarType.Float32, ScalarType.BFloat16)));
        Assert.That(own.ComputeDType, Is.EqualTo(ScalarType.Float32));
    }

    [Test]
    public void DenseComputesInBFloat16WithFloat32Weights()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var d = new Dense(2);
        d.Apply(torch.zeros(1, 2));
        // kernel (2, 2) = [[0.5, -1], [0.25, 2]], bias [0.125, 0]
        d.SetWeights([T([0.5f, -1f, 0.25f, 2f], 2, 2), T(0.125f, 0f)]);
        Assert.That(d.Kernel.Value.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(d.Bias!.Value.dtype, Is.EqualTo(ScalarType.Float32));
        // x = [1, 2]: y = [1·0.5 + 2·0.25 + 0.125, 1·(−1) + 2·2 + 0] = [1.125, 3]
        var y = d.Apply(T([1f, 2f], 1, 2));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        AssertClose(y, [1.125, 3.0], 0);
        // The input is cast to bfloat16 first: 1.001 has no bfloat16 value (spacing 2^-7 above 1) and becomes 1, so
        // y = [1·0.5 + 2·0.25 + 0.125, 3] exactly, where float32 would give 1.1255.
        AssertClose(d.Apply(T([1.001f, 2f], 1, 2)), [1.125, 3.0], 0);
    }

    [Test]
    public void GradientsReachTheFloat32Weights()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var d = new Dense(1, useBias: false);
        d.Apply(torch.zeros(1, 2));
        d.SetWeights([T([1f, 1f], 2, 1)]);
        var y = d.Apply(T([3f, 5f], 1, 2), training: true);
        y.to(ScalarType.Float32).sum().backward();
        var g = d.Kernel.Value.grad!;
        Assert.That(g.dtype, Is.EqualTo(ScalarType.Float32));
        AssertClose(g, [3.0, 5.0], 0, "d(x·k)/dk = x");
    }

    [Test]
    public void Conv2DComputesInBFloat16WithFloat32Weights()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var c = new Conv2D(1, kernelSize: 2, useBias: false);
        c.Apply(torch.zeros(1, 3, 3, 1));
        // kernel (2, 2, 1, 1) = [[1, 2], [3, 4]]
        c.SetWeights([T([1f, 2f, 3f, 4f], 2, 2, 1, 1)]);
        Assert.That(c.OwnVariables[0].Value.dtype, Is.EqualTo(ScalarType.Float32));
        // input 3×3 = 1..9: out[i, j] = 1·x[i, j] + 2·x[i, j+1] + 3·x[i+1, j] + 4·x[i+1, j+1]
        // (0,0): 1 + 4 + 12 + 20 = 37; (0,1): 2 + 6 + 15 + 24 = 47; (1,0): 4 + 10 + 21 + 32 = 67; (1,1): 5 + 12 + 24 + 36 = 77
        var y = c.Apply(T([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 3, 3, 1));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        AssertClose(y, [37, 47, 67, 77], 0);
    }

    [Test]
    public void SymbolicOutputsCarryTheComputeType()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var inputs = Keras.Input([4]);
        Assert.That(inputs.DType, Is.EqualTo(ScalarType.Float32), "Keras's Input stays float32");
        var h = new Dense(3).Apply(inputs);
        var o = new Activation("softmax", dtype: "float32").Apply(h);
        Assert.That(h.DType, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(o.DType, Is.EqualTo(ScalarType.Float32));
        var model = new Model(inputs, o);
        var y = model.Predict(torch.ones(2, 4), verbose: 0);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Float32), "a float32 last layer gives float32 outputs");
        AssertClose(y.sum(1), [1.0, 1.0], 1e-6);
    }

    [Test]
    public void LossAndMetricsAreFloat32()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var model = new Sequential(new Dense(2, useBias: false, inputShape: [2]));
        model.Compile(optimizer: "sgd", loss: "mse", metrics: ["mae"]);
        model.Layers[0].SetWeights([T([1f, 0f, 0f, 1f], 2, 2)]);
        // Identity kernel: y_pred = x in bfloat16. x = [[0.5, 1.5], [1, 3]], y = [[0, 1], [1, 2]]:
        // errors [0.5, 0.5, 0, 1]: mse = (0.25 + 0.25 + 0 + 1) / 4 = 0.375, mae = 2 / 4 = 0.5
        var x = T([0.5f, 1.5f, 1f, 3f], 2, 2);
        var yTrue = T([0f, 1f, 1f, 2f], 2, 2);
        var yPred = model.PredictOnBatch(x);
        Assert.That(yPred.dtype, Is.EqualTo(ScalarType.BFloat16), "Keras keeps the compute type in the outputs");
        var loss = model.CompiledLoss!.Call([yTrue], [yPred], null)!;
        Assert.That(loss.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(loss.item<float>(), Is.EqualTo(0.375f));
        var logs = model.Evaluate(x, yTrue, verbose: 0);
        Assert.That(logs["loss"], Is.EqualTo(0.375).Within(1e-7));
        Assert.That(logs["mae"], Is.EqualTo(0.5).Within(1e-7));
    }

    [Test]
    public void BatchNormalizationKeepsFloat32Statistics()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var bn = new BatchNormalization();
        // batch [0, 2] on one feature: mean 1, biased variance 1; Keras's moving mean 0.99·0 + 0.01·1 = 0.01 and
        // moving variance 0.99·1 + 0.01·1 = 1; output (x − 1)/√(1 + 0.001) = ∓0.99950, whose nearest bfloat16 is ∓1.
        var y = bn.Apply(T([0f, 2f], 2, 1), training: true);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        AssertClose(y, [-1.0, 1.0], 0);
        foreach (var v in bn.Variables) Assert.That(v.Value.dtype, Is.EqualTo(ScalarType.Float32), v.Name);
        AssertClose(bn.MovingMean.Value, [0.01], 1e-9);
        AssertClose(bn.MovingVariance.Value, [1.0], 1e-7);
    }

    [Test]
    public void EmbeddingTakesIndicesAndOutputsTheComputeType()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var e = new Embedding(3, 2);
        e.Apply(torch.zeros(new long[] { 1, 1 }, ScalarType.Int64));
        e.SetWeights([T([0f, 0.5f, 1f, 1.5f, 2f, 2.5f], 3, 2)]);
        var y = e.Apply(torch.tensor(new long[] { 2, 0 }).reshape(1, 2));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(e.OwnVariables[0].Value.dtype, Is.EqualTo(ScalarType.Float32));
        AssertClose(y, [2.0, 2.5, 0.0, 0.5], 0);
    }

    [Test]
    public void RecurrentFusedPathsRunInBFloat16CloseToFloat32([Values("lstm", "gru")] string kind, [Values(false, true)] bool masked)
    {
        Keras.Config.Seed(3);
        Layer Make() => kind == "lstm" ? new LSTM(4, returnSequences: true) : new GRU(4, returnSequences: true);
        var x = torch.rand(2, 5, 3);
        // Masked: the second sequence has 3 valid steps (the fused kernel's masked path).
        var mask = torch.tensor(new[] { true, true, true, true, true, true, true, true, false, false }).reshape(2, 5);
        Tensor Run(Layer l)
        {
            var input = x.clone();
            if (masked) Layer.SetMask(input, mask);
            return l.Apply(input);
        }
        var reference = Make();
        var yRef = Run(reference);
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var mixed = Make();
        Run(mixed);
        mixed.SetWeights(reference.GetWeights());
        var y = Run(mixed);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(mixed.Variables.All(v => v.Value.dtype == ScalarType.Float32));
        Assert.That(y.to(ScalarType.Float32).sub(yRef).abs().max().item<float>(), Is.LessThan(0.02f), "bfloat16 keeps about 3 significant digits");
    }

    [Test]
    public void SmallConvNetTrainsUnderMixedBFloat16()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        Keras.Config.Seed(7);
        // Two classes of 8×8 images: a bright top half (0) or a bright bottom half (1), plus noise.
        var labels = torch.arange(64) % 2;
        var rows = torch.arange(8).view(1, 8, 1, 1);
        var top = rows.lt(4).to(ScalarType.Float32);
        var images = torch.where(labels.view(64, 1, 1, 1).eq(0), top, 1 - top).expand(64, 8, 8, 1) + 0.3f * torch.rand(64, 8, 8, 1);
        var model = new Sequential(
            new Conv2D(4, kernelSize: 3, activation: "relu", inputShape: [8, 8, 1]),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(2),
            new Activation("softmax", dtype: "float32"));
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(0.01), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var h = model.Fit(images, labels, batchSize: 16, epochs: 8, verbose: 0);
        var losses = h["loss"];
        Assert.That(model.Layers[0].OwnVariables.All(v => v.Value.dtype == ScalarType.Float32));
        Assert.That(losses[^1], Is.LessThan(losses[0] * 0.5), $"loss {losses[0]:F4} → {losses[^1]:F4}");
        Assert.That(h["accuracy"][^1], Is.GreaterThan(0.9));
    }

    [Test]
    public void AugmentationResNetAndTransformerTrainAStepUnderMixedBFloat16()
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        Keras.Config.Seed(11);
        var inputs = Keras.Input([16, 16, 3]);
        var h = new RandomFlip("horizontal", seed: 1).Apply(inputs);
        h = new RandomTranslation(0.1, 0.1, seed: 1).Apply(h);
        h = new Rescaling(2.0, offset: -1.0).Apply(h);
        h = new Conv2D(4, kernelSize: 3, padding: "same").Apply(h);
        h = new BatchNormalization().Apply(h);
        h = new Activation("relu").Apply(h);
        h = new Dropout(0.2).Apply(h);
        h = new GlobalAveragePooling2D().Apply(h);
        var augmented = new Model(inputs, new Dense(3).Apply(h));
        var resnet = Sharpkeras.Applications.ResNet18(inputShape: [32, 32, 3], classes: 3);
        var transformer = Sharpkeras.Applications.TransformerClassifier(vocabSize: 50, maxLen: 8, embedDim: 16, numHeads: 2, ffDim: 16, numClasses: 3);
        var cases = new (Model model, Tensor x)[]
        {
            (augmented, torch.rand(4, 16, 16, 3)),
            (resnet, torch.rand(2, 32, 32, 3)),
            (transformer, torch.randint(1, 50, new long[] { 4, 8 })),
        };
        foreach (var (model, x) in cases)
        {
            model.Compile(optimizer: "adam", loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true));
            var y = torch.tensor(Enumerable.Range(0, (int)x.shape[0]).Select(i => (long)(i % 3)).ToArray());
            var logs = model.TrainOnBatch(x, y);
            Assert.That(double.IsFinite(logs["loss"]), $"{model.Name}: loss {logs["loss"]}");
            Assert.That(model.PredictOnBatch(x).dtype, Is.EqualTo(ScalarType.BFloat16), model.Name);
            Assert.That(model.Variables.All(v => v.Value.dtype != ScalarType.BFloat16), $"{model.Name}: float32 weights");
        }
    }

    [Test]
    public void PolicyOfABuiltLayerChangesOnlyWhenTheWeightTypeStays()
    {
        var d = new Dense(1);
        d.Apply(torch.zeros(1, 2));
        d.DTypePolicy = "mixed_bfloat16";
        Assert.That(d.Apply(torch.ones(1, 2)).dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.Throws<InvalidOperationException>(() => d.DTypePolicy = "float64");
        Assert.That(d.DTypePolicy.Name, Is.EqualTo("mixed_bfloat16"));
    }

    [Test]
    public void PolicySurvivesSaveAndLoad([Values(".skeras", ".keras")] string ext)
    {
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var inputs = Keras.Input([3]);
        var h = new Dense(4, activation: "relu", name: "hidden").Apply(inputs);
        var b = new BatchNormalization(name: "bn").Apply(h);
        var o = new Dense(2, activation: "softmax", name: "out", dtype: "float32").Apply(b);
        var model = new Model(inputs, o);
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        var x = torch.rand(4, 3);
        var before = model.Predict(x, verbose: 0);
        var dir = Path.Combine(Path.GetTempPath(), "sharpkeras-dtype-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "m" + ext);
            model.Save(path);
            if (ext == ".keras")
            {
                using var zip = System.IO.Compression.ZipFile.OpenRead(path);
                using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
                var json = reader.ReadToEnd();
                Assert.That(json, Does.Contain("\"class_name\":\"DTypePolicy\",\"config\":{\"name\":\"mixed_bfloat16\"}"));
            }
            Keras.Config.ResetDTypePolicy(); // loaded under float32: the saved policies win, as in Keras
            var loaded = Model.Load(path);
            Assert.That(loaded.GetLayer("hidden").DTypePolicy.Name, Is.EqualTo("mixed_bfloat16"));
            Assert.That(loaded.GetLayer("bn").DTypePolicy.Name, Is.EqualTo("mixed_bfloat16"));
            Assert.That(loaded.GetLayer("out").DTypePolicy.Name, Is.EqualTo("float32"));
            var after = loaded.Predict(x, verbose: 0);
            Assert.That(Same(before, after), "same outputs after loading");
        }
        finally { Directory.Delete(dir, true); }
    }
}
