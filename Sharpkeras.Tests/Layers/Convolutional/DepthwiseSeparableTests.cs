using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class DepthwiseSeparableTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(3);
    }

    // (1, 2, 2, 2): channel 0 = [[1, 2], [3, 4]], channel 1 = [[10, 20], [30, 40]].
    private static Tensor X() => T([1, 10, 2, 20, 3, 30, 4, 40], 1, 2, 2, 2);

    [Test]
    public void DepthwiseParamCountShapeAndLayout()
    {
        // Kernel (3, 3, in 4, mult 2) = 72, bias in·mult = 8: 80.
        var layer = new DepthwiseConv2D(3, depthMultiplier: 2);
        Assert.That(layer.ComputeOutputShape([null, 8, 8, 4]), Is.EqualTo(new int?[] { null, 6, 6, 8 }));
        layer.Apply(torch.zeros(1, 8, 8, 4));
        Assert.That(layer.CountParams(), Is.EqualTo(3 * 3 * 4 * 2 + 8).And.EqualTo(80));
        Assert.That(layer.GetWeights()[0].shape, Is.EqualTo(new long[] { 3, 3, 4, 2 }));
        Assert.That(layer.OwnVariables.Select(v => v.Name), Is.EqualTo(new[] { "kernel", "bias" }));
        Assert.That(new DepthwiseConv2D(3, strides: 2, padding: "same").ComputeOutputShape([null, 7, 8, 3]), Is.EqualTo(new int?[] { null, 4, 4, 3 }));
    }

    [Test]
    public void DepthwiseOrdersOutputChannelsByInputThenMultiplier()
    {
        var layer = new DepthwiseConv2D(2, depthMultiplier: 2, useBias: false);
        layer.Apply(X());
        // kernel[:, :, c, m]: (0,0) ones → 1+2+3+4 = 10; (0,1) [[1,0],[0,0]] → 1; (1,0) twos → 2·100 = 200; (1,1) [[0,0],[0,1]] → 40.
        // Flattened (kh, kw, c, m): per cell (h, w) the values [c0m0, c0m1, c1m0, c1m1].
        var k = T([1, 1, 2, 0, /* (0,1) */ 1, 0, 2, 0, /* (1,0) */ 1, 0, 2, 0, /* (1,1) */ 1, 0, 2, 1], 2, 2, 2, 2);
        layer.SetWeights([k]);
        // Output channel c·mult + m: [c0m0, c0m1, c1m0, c1m1] = [10, 1, 200, 40].
        AssertClose(layer.Apply(X()), [10, 1, 200, 40], [1, 1, 1, 4]);
    }

    [Test]
    public void SeparableIsDepthwiseThenPointwise()
    {
        // Depthwise (mult 1): ones kernels → [10, 100]; pointwise (1, 1, 2, 2) = [[1, 0.5], [−1, 2]] →
        // f0 = 10 − 100 = −90, f1 = 5 + 200 = 205; bias [1, −1] → [−89, 204].
        var layer = new SeparableConv2D(2, 2);
        layer.Apply(X());
        Assert.That(layer.OwnVariables.Select(v => v.Name), Is.EqualTo(new[] { "depthwise_kernel", "pointwise_kernel", "bias" }));
        layer.SetWeights([torch.ones(2, 2, 2, 1), T([1, 0.5f, -1, 2], 1, 1, 2, 2), T([1, -1], 2)]);
        AssertClose(layer.Apply(X()), [-89, 204], [1, 1, 1, 2]);
    }

    [Test]
    public void SeparableParamCountAndShapes()
    {
        // depthwise 3·3·4·1 = 36, pointwise 1·1·4·16 = 64, bias 16: 116. With depthMultiplier 2: 72 + 128 + 16 = 216.
        var layer = new SeparableConv2D(16, 3);
        layer.Apply(torch.zeros(1, 8, 8, 4));
        Assert.That(layer.CountParams(), Is.EqualTo(36 + 64 + 16).And.EqualTo(116));
        Assert.That(layer.GetWeights().Select(w => w.shape), Is.EqualTo(new[] { new long[] { 3, 3, 4, 1 }, [1, 1, 4, 16], [16] }));
        var m2 = new SeparableConv2D(16, 3, depthMultiplier: 2, padding: "same", strides: 2);
        Assert.That(m2.ComputeOutputShape([null, 8, 7, 4]), Is.EqualTo(new int?[] { null, 4, 4, 16 }));
        m2.Apply(torch.zeros(1, 8, 7, 4));
        Assert.That(m2.CountParams(), Is.EqualTo(216));
        var s1 = new SeparableConv1D(5, 3);
        Assert.That(s1.ComputeOutputShape([null, 10, 2]), Is.EqualTo(new int?[] { null, 8, 5 }));
        s1.Apply(torch.zeros(1, 10, 2));
        Assert.That(s1.CountParams(), Is.EqualTo(3 * 2 + 2 * 5 + 5));
    }

    [Test]
    public void ChannelsFirstAndOneD()
    {
        var x = torch.randn(2, 5, 5, 3);
        var last = new SeparableConv2D(4, 3, depthMultiplier: 2, padding: "same");
        var first = new SeparableConv2D(4, 3, depthMultiplier: 2, padding: "same", dataFormat: "channels_first");
        var yl = last.Apply(x);
        first.Apply(x.permute(0, 3, 1, 2).contiguous());
        first.SetWeights(last.GetWeights());
        Assert.That(first.Apply(x.permute(0, 3, 1, 2).contiguous()).permute(0, 2, 3, 1).allclose(yl, 1e-5, 1e-5), Is.True);
        // DepthwiseConv1D: channels [1, 2, 3] and [10, 20, 30], kernels [1, 1] and [1, −1] → [3, 5] and [−10, −10].
        var d1 = new DepthwiseConv1D(2, useBias: false);
        var x1 = T([1, 10, 2, 20, 3, 30], 1, 3, 2);
        d1.Apply(x1);
        d1.SetWeights([T([1, 1, 1, -1], 2, 2, 1)]);
        AssertClose(d1.Apply(x1), [3, -10, 5, -10], [1, 2, 2]);
    }

    [Test]
    public void ConfigGradientAndBadArguments()
    {
        AssertConfigRoundTrip(new DepthwiseConv2D(3, depthMultiplier: 2, padding: "same", activation: "relu"), [null, 5, 5, 2]);
        AssertConfigRoundTrip(new SeparableConv2D(3, 2, depthMultiplier: 3, strides: 2, pointwiseInitializer: "he_uniform"), [null, 6, 6, 2]);
        AssertConfigRoundTrip(new DepthwiseConv1D(2), [null, 5, 3]);
        AssertConfigRoundTrip(new SeparableConv1D(2, 2), [null, 5, 3]);
        AssertGradientReachesEveryTrainableWeight(new DepthwiseConv2D(2, depthMultiplier: 2), torch.randn(2, 4, 4, 3));
        AssertGradientReachesEveryTrainableWeight(new SeparableConv2D(3, 2, depthMultiplier: 2, padding: "same"), torch.randn(2, 4, 4, 3));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new DepthwiseConv2D(3, depthMultiplier: 0))!.ParamName, Is.EqualTo("depthMultiplier"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new SeparableConv2D(0, 3))!.ParamName, Is.EqualTo("filters"));
        Assert.That(Assert.Throws<ArgumentException>(() => new SeparableConv2D(2, 3, padding: "circular"))!.ParamName, Is.EqualTo("padding"));
        var dw = new DepthwiseConv2D(5, name: "dw_big");
        var ex = Assert.Throws<ArgumentException>(() => dw.Apply(torch.zeros(1, 3, 3, 2)))!;
        Assert.That(ex.Message, Does.Contain("dw_big").And.Contain("(None, 3, 3, 2)").And.Contain("(5, 5)"));
    }
}
