using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>Convolution, pooling and batch normalization against Keras's numbers.</summary>
public class ConvFoundationTests
{
    [SetUp]
    public void Setup() => Keras.ClearSession();

    [Test]
    public void Conv2DParamsAndShapes()
    {
        var c = new Conv2D(32, kernelSize: 3);
        var y = c.Apply(torch.zeros(2, 32, 32, 3));
        // 3*3*3*32 + 32 = 896
        Assert.That(c.CountParams(), Is.EqualTo(896));
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 30, 30, 32 }));
        Assert.That(c.GetWeights()[0].shape, Is.EqualTo(new long[] { 3, 3, 3, 32 }), "Keras layout (kh, kw, in, out)");
        // channels_last output is an NHWC-contiguous view of torch's channels-last result: no copy
        Assert.That(y.is_contiguous(), Is.True);
    }

    [Test]
    public void SamePaddingWithStrideAndEvenKernelFollowsKeras()
    {
        // in 5, kernel 2, stride 2, same: out = ceil(5/2) = 3; total pad = (3-1)*2 + 2 - 5 = 1 -> 0 before, 1 after
        var c = new Conv2D(1, kernelSize: 2, strides: 2, padding: "same", useBias: false);
        var x = torch.arange(25, dtype: ScalarType.Float32).reshape(1, 5, 5, 1);
        c.Apply(x);
        c.SetWeights([torch.ones(2, 2, 1, 1)]);
        var y = c.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 3, 3, 1 }));
        // top-left window rows 0-1, cols 0-1: 0+1+5+6 = 12 ; bottom-right window is row 4, col 4 plus padding: 24
        Assert.That(y[0, 0, 0, 0].item<float>(), Is.EqualTo(12f));
        Assert.That(y[0, 2, 2, 0].item<float>(), Is.EqualTo(24f));
        // (0,2): rows 0-1, col 4 + pad: 4 + 9 = 13
        Assert.That(y[0, 0, 2, 0].item<float>(), Is.EqualTo(13f));
    }

    [Test]
    public void Conv2DNumericOnFixedKernel()
    {
        var c = new Conv2D(1, kernelSize: 2);
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }).reshape(1, 3, 3, 1);
        c.Apply(x);
        // kernel [[1, 0], [0, -1]] (kh, kw), bias 0.5
        c.SetWeights([torch.tensor(new float[] { 1, 0, 0, -1 }).reshape(2, 2, 1, 1), torch.tensor(new float[] { 0.5f })]);
        var y = c.Apply(x);
        // each output = x[i,j] - x[i+1,j+1] + 0.5 = -4 + 0.5
        Assert.That(y.flatten().data<float>().ToArray(), Is.EqualTo(new[] { -3.5f, -3.5f, -3.5f, -3.5f }));
    }

    [Test]
    public void ConvTooLargeKernelFailsAtBuild()
    {
        var c = new Conv2D(4, kernelSize: 5);
        var ex = Assert.Throws<ArgumentException>(() => c.Apply(torch.zeros(1, 2, 2, 3)));
        Assert.That(ex!.Message, Does.Contain(c.Name).And.Contain("(None, 2, 2, 3)"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(0, 3));
        var pe = Assert.Throws<ArgumentException>(() => new Conv2D(3, 3, padding: "full"));
        Assert.That(pe!.ParamName, Is.EqualTo("padding"));
    }

    [Test]
    public void PoolingValidAndSame()
    {
        var x = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 4, 4, 1);
        var mp = new MaxPooling2D(2).Apply(x);
        Assert.That(mp.flatten().data<float>().ToArray(), Is.EqualTo(new[] { 5f, 7f, 13f, 15f }));
        var x3 = torch.arange(9, dtype: ScalarType.Float32).reshape(1, 3, 3, 1);
        // same, pool 2, stride 2 on 3x3: out 2x2, pad 0 before / 1 after; average of real cells only
        var ap = new AveragePooling2D(2, padding: "same").Apply(x3);
        // windows: {0,1,3,4}=2 ; {2,5}=3.5 ; {6,7}=6.5 ; {8}=8
        Assert.That(ap.flatten().data<float>().ToArray(), Is.EqualTo(new[] { 2f, 3.5f, 6.5f, 8f }));
        var gap = new GlobalAveragePooling2D().Apply(x3);
        Assert.That(gap.item<float>(), Is.EqualTo(4f));
    }

    [Test]
    public void BatchNormalizationTrainingAndInference()
    {
        var bn = new BatchNormalization();
        var x = torch.tensor(new float[] { 1, 10, 3, 20 }).reshape(2, 2);
        bn.Apply(x);
        // 2 gamma + 2 beta trainable, 2 + 2 moving non-trainable
        Assert.That(bn.CountParams(), Is.EqualTo(8));
        Assert.That(bn.NonTrainableWeights.Count, Is.EqualTo(2));
        var y = bn.Apply(x, training: true);
        // feature 0: mean 2, biased var 1 -> (1-2)/sqrt(1+1e-3), (3-2)/sqrt(1.001)
        Assert.That(y[0, 0].item<float>(), Is.EqualTo(-1 / Math.Sqrt(1.001)).Within(1e-5));
        // moving_mean = 0*0.99 + 2*0.01 = 0.02 ; moving_var = 1*0.99 + 1*0.01 = 1 (feature 0); feature 1: mean 15, var 25
        var w = bn.GetWeights();
        Assert.That(w[2].data<float>().ToArray(), Is.EqualTo(new[] { 0.02f, 0.15f }).Within(1e-6));
        Assert.That(w[3].data<float>().ToArray(), Is.EqualTo(new[] { 1f, 0.99f + 0.25f }).Within(1e-5));
        // inference uses the moving statistics
        var yi = bn.Apply(x, training: false);
        Assert.That(yi[0, 0].item<float>(), Is.EqualTo((1 - 0.02) / Math.Sqrt(1 + 1e-3)).Within(1e-5));
    }

    [Test]
    public void CifarSeedModelSummaryTotalsMatchKeras()
    {
        var inputs = Keras.Input(shape: [32, 32, 3]);
        var x = inputs;
        foreach (var f in new[] { 32, 64, 128 })
        {
            x = new Conv2D(f, kernelSize: 3).Apply(x);
            x = new BatchNormalization().Apply(x);
            x = new Activation("relu").Apply(x);
            if (f != 128) x = new MaxPooling2D(2).Apply(x);
        }
        x = new GlobalAveragePooling2D().Apply(x);
        var model = new Model(inputs, new Dense(10).Apply(x), name: "cifar_cnn");
        // convs: 896 + 18,496 + 73,856 ; BNs: 128 + 256 + 512 ; dense 1,290 -> 95,434; non-trainable (32+64+128)*2 = 448
        Assert.That(model.CountParams(), Is.EqualTo(95_434));
        var text = string.Join("\n", model.SummaryLines());
        Assert.That(text, Does.Contain("Total params: 95,434"));
        Assert.That(text, Does.Contain("Non-trainable params: 448"));
        Assert.That(text, Does.Contain("(None, 15, 15, 32)"));
    }

    [Test]
    public void LeNet5SequentialCountsAndTrains()
    {
        var model = new Sequential(
            new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
            new MaxPooling2D(poolSize: 2),
            new Conv2D(16, kernelSize: 5, activation: "tanh"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(120, activation: "tanh"),
            new Dense(84, activation: "tanh"),
            new Dense(10, activation: "softmax"));
        Assert.That(model.CountParams(), Is.EqualTo(61_706));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var h = model.Fit(torch.rand(64, 28, 28, 1), torch.randint(0, 10, [64], dtype: ScalarType.Int64), batchSize: 32, epochs: 1, verbose: 0);
        Assert.That(double.IsFinite(h["loss"][0]), Is.True);
    }
}
