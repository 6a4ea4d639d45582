using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;
using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Onnx;

/// <summary>ExportOnnx: the exported files run in ONNX Runtime and agree with Predict.</summary>
public class OnnxExportTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 11;
    /// <summary>Runs <paramref name="path"/> in ONNX Runtime on <paramref name="x"/>; returns the first output.</summary>
    private static Tensor RunOnnx(string path, Tensor x)
    {
        using var session = new InferenceSession(path);
        var name = session.InputMetadata.Keys.Single();
        var dims = x.shape.Select(d => (int)d).ToArray();
        NamedOnnxValue input = x.dtype == ScalarType.Int64
            ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(x.contiguous().data<long>().ToArray(), dims))
            : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(x.to(ScalarType.Float32).contiguous().data<float>().ToArray(), dims));
        using var results = session.Run([input]);
        var output = results.First().AsTensor<float>();
        return torch.tensor(output.ToArray(), output.Dimensions.ToArray().Select(d => (long)d).ToArray());
    }

    private static double MaxDiff(Tensor a, Tensor b)
    {
        Assert.That(a.shape, Is.EqualTo(b.shape));
        return (a - b).abs().max().item<float>();
    }

    private double ExportAndCompare(Model model, params Tensor[] batches)
    {
        var path = Path.Combine(Dir, model.Name + ".onnx");
        model.ExportOnnx(path);
        double worst = 0;
        foreach (var x in batches) worst = Math.Max(worst, MaxDiff(RunOnnx(path, x), model.Predict(x, verbose: 0)));
        TestContext.Out.WriteLine($"{model.Name}: max |ONNX Runtime - Predict| = {worst:E2}");
        return worst;
    }

    /// <summary>Gives every weight non-trivial values (BatchNormalization's moving variance stays positive).</summary>
    private static void Randomize(Model model)
    {
        using var _ = torch.no_grad();
        foreach (var v in model.Variables)
            v.Assign(v.Name == "moving_variance" ? torch.rand(v.KerasShape) + 0.5 : torch.randn(v.KerasShape) * 0.2);
    }

    [Test]
    public void LeNet5ExampleMatchesPredictWithDynamicBatch()
    {
        // The model of examples/LeNet5.
        var model = new Sequential(
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
            new MaxPooling2D(poolSize: 2),
            new Conv2D(16, kernelSize: 5, activation: "tanh"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax"));
        Assert.That(ExportAndCompare(model, torch.rand(4, 28, 28, 1), torch.rand(1, 28, 28, 1)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void CifarCnnExampleMatchesPredictWithAugmentationAsIdentity()
    {
        // The model of examples/CifarCnn.
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var h = new RandomFlip("horizontal", seed: 1).Apply(inputs);
        h = new RandomTranslation(0.1, 0.1, seed: 1).Apply(h);
        foreach (var filters in new[] { 32, 64, 128 })
        {
            h = new Conv2D(filters, kernelSize: 3, padding: "same").Apply(h);
            h = new BatchNormalization().Apply(h);
            h = new Activation("relu").Apply(h);
            if (filters != 128) h = new MaxPooling2D(2).Apply(h);
        }
        h = new GlobalAveragePooling2D().Apply(h);
        var model = new Model(inputs, new Dense(10).Apply(h), name: "cifar_cnn");
        Randomize(model);
        Assert.That(ExportAndCompare(model, torch.rand(3, 32, 32, 3), torch.rand(1, 32, 32, 3)), Is.LessThanOrEqualTo(1e-4));
    }

    private static Tensor PaddedSequences(int n, int maxLen, int vocab)
    {
        var x = torch.randint(1, vocab, [n, maxLen], dtype: ScalarType.Int64);
        for (int i = 0; i < n; i++)
        {
            int len = 1 + (i * 37 % maxLen);
            if (len < maxLen) x[i, len..] = torch.tensor(0L); // post-padding, as the example pads
        }
        return x;
    }

    [Test]
    public void ImdbLstmExampleMatchesPredictWithMasking()
    {
        // The model of examples/ImdbLstm (10,000 words, sequences of 100, Embedding with maskZero).
        var model = new Sequential(
            new Embedding(10000, 64, maskZero: true),
            new LSTM(64),
            new Dense(1, activation: "sigmoid"));
        var x = PaddedSequences(5, 100, 10000);
        model.Predict(x, verbose: 0); // builds it, as Fit does in the example
        Randomize(model);
        Assert.That(ExportAndCompare(model, x, PaddedSequences(2, 100, 10000)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void RecurrentVariantsMatchPredict()
    {
        var input = Keras.Input(shape: [7], dtype: ScalarType.Int64);
        var e = new Embedding(30, 6, maskZero: true).Apply(input);
        var a = new GRU(5, returnSequences: true, goBackwards: true).Apply(e);
        var b = new GRU(5, resetAfter: false, returnSequences: true).Apply(e);
        var c = new SimpleRNN(5, returnSequences: true, activation: "relu").Apply(e);
        var s = new Concatenate().Apply(new Add().Apply(a, b), c);
        var pooled = new GlobalAveragePooling1D().Apply(new LSTM(4, returnSequences: true).Apply(s));
        var model = new Model(input, new Dense(2, activation: "softmax").Apply(pooled), name: "rnns");
        Randomize(model);
        Assert.That(ExportAndCompare(model, PaddedSequences(6, 7, 30)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void ConvolutionFamilyMatchesPredict()
    {
        var input = Keras.Input(shape: [9, 9, 3]);
        var h = new DepthwiseConv2D(3, depthMultiplier: 2, padding: "same", activation: "relu").Apply(input);
        h = new SeparableConv2D(5, 3, strides: 2, depthMultiplier: 2).Apply(h);
        h = new UpSampling2D(2).Apply(h);
        h = new Conv1D(4, 3, padding: "causal").Apply(new Reshape([64, 5]).Apply(h));
        h = new AveragePooling1D(2, padding: "same").Apply(h);
        var model = new Model(input, new Dense(3).Apply(new Flatten().Apply(h)), name: "convs");
        Randomize(model);
        Assert.That(ExportAndCompare(model, torch.rand(3, 9, 9, 3)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void AttentionBidirectionalAndTimeDistributedMatchPredict()
    {
        var input = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var e = new Embedding(40, 8).Apply(input);
        var a = new MultiHeadAttention(numHeads: 2, keyDim: 3).Apply(e, e);
        var h = new LayerNormalization().Apply(new Add().Apply(e, a));
        h = new Bidirectional(new LSTM(4, returnSequences: true)).Apply(h);
        h = new TimeDistributed(new Dense(3, activation: "tanh")).Apply(h);
        var model = new Model(input, new Dense(1).Apply(new GlobalAveragePooling1D().Apply(h)), name: "attn");
        Randomize(model);
        Assert.That(ExportAndCompare(model, torch.randint(0, 40, [4, 6], dtype: ScalarType.Int64)), Is.LessThanOrEqualTo(1e-4));

        var masked = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var m = new Bidirectional(new GRU(3, returnSequences: true), mergeMode: "sum").Apply(new Embedding(40, 8, maskZero: true).Apply(masked));
        var model2 = new Model(masked, new Dense(1).Apply(new GlobalAveragePooling1D().Apply(m)), name: "bimask");
        Randomize(model2);
        Assert.That(ExportAndCompare(model2, PaddedSequences(5, 6, 40)), Is.LessThanOrEqualTo(1e-4));
    }

    private static IEnumerable<TestCaseData> Applications()
    {
        yield return new TestCaseData("LeNet5", (Func<Model>)(() => Sharpkeras.Applications.LeNet5()), new long[] { 2, 28, 28, 1 });
        yield return new TestCaseData("ResNet18", (Func<Model>)(() => Sharpkeras.Applications.ResNet18(inputShape: [32, 32, 3], classes: 10)), new long[] { 2, 32, 32, 3 });
        yield return new TestCaseData("GoogLeNet", (Func<Model>)(() => Sharpkeras.Applications.GoogLeNet(inputShape: [32, 32, 3], classes: 10)), new long[] { 1, 32, 32, 3 });
    }

    [TestCaseSource(nameof(Applications))]
    public void ApplicationNetworksMatchPredict(string name, Func<Model> make, long[] inputShape)
    {
        var model = make();
        Randomize(model);
        Assert.That(ExportAndCompare(model, torch.rand(inputShape)), Is.LessThanOrEqualTo(1e-4), name);
    }

    [Test]
    public void UnsupportedLayerFailsNamingIt()
    {
        var input = Keras.Input(shape: [4, 4, 2]);
        var output = new Lambda(t => t * 2, name: "doubler").Apply(input);
        var model = new Model(input, output);
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Path.Combine(Dir, "x.onnx")))!;
        Assert.That(e.Message, Does.Contain("'doubler'").And.Contain("Lambda"));
        Assert.That(File.Exists(Path.Combine(Dir, "x.onnx")), Is.False);

        Assert.Throws<ArgumentException>(() => model.ExportOnnx(Path.Combine(Dir, "y.onnx"), opset: 12));
        var unbuilt = new Sequential(new Dense(2));
        Assert.Throws<InvalidOperationException>(() => unbuilt.ExportOnnx(Path.Combine(Dir, "z.onnx")));
    }
}
