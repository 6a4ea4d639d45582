using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class ConvolutionTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(1);
    }

    // 3×3 single-channel image 1..9 (channels_last (1, 3, 3, 1)).
    private static Tensor Image3x3() => T([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3, 1);

    // Kernel [[1, 2], [3, 4]] in Keras layout (kh, kw, in, out) = (2, 2, 1, 1).
    private static Tensor Kernel2x2() => T([1, 2, 3, 4], 2, 2, 1, 1);

    [Test]
    public void Conv2DParamCountIsKeras()
    {
        // Keras: Conv2D(32, 3) on 32×32×3: kernel 3·3·3·32 = 864 + bias 32 = 896.
        var conv = new Conv2D(32, 3);
        conv.Apply(torch.zeros(1, 32, 32, 3));
        Assert.That(conv.CountParams(), Is.EqualTo(3 * 3 * 3 * 32 + 32).And.EqualTo(896));
        Assert.That(conv.GetWeights()[0].shape, Is.EqualTo(new long[] { 3, 3, 3, 32 }), "Keras layout (kh, kw, in, out)");
        Assert.That(conv.Kernel.Value.shape, Is.EqualTo(new long[] { 32, 3, 3, 3 }), "stored in torch layout (out, in, kh, kw)");
        Assert.That(conv.GetWeights()[1].shape, Is.EqualTo(new long[] { 32 }));
        // Without bias: 864.
        var noBias = new Conv2D(32, 3, useBias: false);
        noBias.Apply(torch.zeros(1, 32, 32, 3));
        Assert.That(noBias.CountParams(), Is.EqualTo(864));
    }

    [Test]
    public void Conv2DOutputShapes()
    {
        // valid: floor((n − k) / s) + 1; same: ceil(n / s); dilation: k' = (k − 1)·d + 1.
        Assert.That(new Conv2D(8, 3).ComputeOutputShape([null, 32, 32, 3]), Is.EqualTo(new int?[] { null, 30, 30, 8 }));
        Assert.That(new Conv2D(8, 3, strides: 2).ComputeOutputShape([null, 32, 32, 3]), Is.EqualTo(new int?[] { null, 15, 15, 8 }));
        Assert.That(new Conv2D(8, 4, strides: 2, padding: "same").ComputeOutputShape([null, 7, 8, 3]), Is.EqualTo(new int?[] { null, 4, 4, 8 }));
        Assert.That(new Conv2D(8, 3, dilationRate: 2).ComputeOutputShape([null, 10, 10, 3]), Is.EqualTo(new int?[] { null, 6, 6, 8 }));
        Assert.That(new Conv2D(8, (3, 1), strides: (1, 2)).ComputeOutputShape([null, 10, 10, 3]), Is.EqualTo(new int?[] { null, 8, 5, 8 }));
        Assert.That(new Conv2D(8, 3, dataFormat: "channels_first").ComputeOutputShape([null, 3, 32, 32]), Is.EqualTo(new int?[] { null, 8, 30, 30 }));
        Assert.That(new Conv2D(8, 3).ComputeOutputShape([null, null, null, 3]), Is.EqualTo(new int?[] { null, null, null, 8 }));
        // The real output agrees.
        var conv = new Conv2D(5, 4, strides: 3, padding: "same");
        Assert.That(conv.Apply(torch.zeros(2, 7, 8, 3)).shape, Is.EqualTo(new long[] { 2, 3, 3, 5 }));
    }

    [Test]
    public void Conv2DValidMatchesHandComputedCorrelation()
    {
        var conv = new Conv2D(1, 2);
        conv.Apply(Image3x3());
        conv.SetWeights([Kernel2x2(), T([0.5f], 1)]);
        // out[i,j] = Σ x[i+a, j+b]·k[a,b] + 0.5 (cross-correlation, no flip):
        // (0,0): 1·1 + 2·2 + 4·3 + 5·4 = 37; (0,1): 2 + 6 + 15 + 24 = 47; (1,0): 4 + 10 + 21 + 32 = 67; (1,1): 5 + 12 + 24 + 36 = 77.
        AssertClose(conv.Apply(Image3x3()), [37.5f, 47.5f, 67.5f, 77.5f], [1, 2, 2, 1]);
    }

    [Test]
    public void Conv2DSameWithEvenKernelPadsAtTheEnd()
    {
        var conv = new Conv2D(1, 2, padding: "same", useBias: false);
        conv.Apply(Image3x3());
        conv.SetWeights([Kernel2x2()]);
        // Total padding k − 1 = 1 per axis, all at the end (TF): the window of output (i, j) starts at (i, j).
        // Row 0: 37, 47, then (0,2): 3·1 + 6·3 = 21. Row 1: 67, 77, (1,2): 6·1 + 9·3 = 33.
        // Row 2: (2,0): 7·1 + 8·2 = 23, (2,1): 8·1 + 9·2 = 26, (2,2): 9·1 = 9.
        AssertClose(conv.Apply(Image3x3()), [37, 47, 21, 67, 77, 33, 23, 26, 9], [1, 3, 3, 1]);
    }

    [Test]
    public void Conv2DSameWithStrideTwoUsesKerasSplit()
    {
        // 4×4 image 0..15, 3×3 ones kernel, stride 2, same: output ceil(4/2) = 2, total padding
        // (2 − 1)·2 + 3 − 4 = 1 at the end, so windows cover rows/cols {0,1,2} and {2,3}.
        var x = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 4, 4, 1);
        var conv = new Conv2D(1, 3, strides: 2, padding: "same", kernelInitializer: "ones", useBias: false);
        // (0,0): 0+1+2+4+5+6+8+9+10 = 45; (0,1): 2+3+6+7+10+11 = 39; (1,0): 8+9+10+12+13+14 = 66; (1,1): 10+11+14+15 = 50.
        AssertClose(conv.Apply(x), [45, 39, 66, 50], [1, 2, 2, 1]);
    }

    [Test]
    public void Conv2DChannelsFirstMatchesChannelsLast()
    {
        var x = torch.randn(2, 5, 6, 3);
        var last = new Conv2D(4, (3, 2), strides: (2, 1), padding: "same");
        var first = new Conv2D(4, (3, 2), strides: (2, 1), padding: "same", dataFormat: "channels_first");
        var yLast = last.Apply(x);
        first.Apply(x.permute(0, 3, 1, 2).contiguous());
        first.SetWeights(last.GetWeights());
        var yFirst = first.Apply(x.permute(0, 3, 1, 2).contiguous());
        Assert.That(yFirst.permute(0, 2, 3, 1).allclose(yLast, rtol: 1e-5, atol: 1e-5), Is.True);
    }

    [Test]
    public void Conv2DChannelsLastMakesNoLayoutCopy()
    {
        // Measured (libtorch 2.10 CPU, native kernels; also with oneDNN): the NHWC input is viewed as NCHW with
        // channels_last strides, the convolution returns channels_last memory, and the permutation back is a
        // contiguous NHWC tensor with strides (H·W·C, W·C, C, 1): no layout copy on the way in or out.
        var x = torch.randn(2, 8, 8, 3);
        var conv = new Conv2D(4, 3, padding: "same", activation: "relu");
        var y = conv.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 8, 8, 4 }));
        Assert.That(y.is_contiguous(), Is.True, "output is contiguous NHWC");
        Assert.That(y.stride(), Is.EqualTo(new long[] { 8 * 8 * 4, 8 * 4, 4, 1 }));
        // Also with asymmetric "same" padding (explicit pad) and strides, and through the pooling and BN layers.
        var y2 = new Conv2D(6, 2, strides: 2, padding: "same").Apply(y);
        Assert.That(y2.is_contiguous(), Is.True, "strided same-padded conv output");
        var y3 = new MaxPooling2D(2).Apply(new BatchNormalization().Apply(y2, training: true));
        Assert.That(y3.is_contiguous(), Is.True, "BN + pooling output");
    }

    [Test]
    public void Conv2DGroupsConvolveEachGroupSeparately()
    {
        // 2 input channels, 2 groups, 1×1 kernel: Keras kernel (1, 1, 1, 2); output c = input c · k[c].
        var conv = new Conv2D(2, 1, groups: 2, useBias: false);
        var x = T([1, 10], 1, 1, 1, 2);
        conv.Apply(x);
        Assert.That(conv.GetWeights()[0].shape, Is.EqualTo(new long[] { 1, 1, 1, 2 }));
        conv.SetWeights([T([2, 3], 1, 1, 1, 2)]);
        AssertClose(conv.Apply(x), [2, 30], [1, 1, 1, 2]);
        // Params: 1·1·(4/2)·6 + 6 = 18 for Conv2D(6, 1, groups: 2) on 4 channels.
        var g = new Conv2D(6, 1, groups: 2);
        g.Apply(torch.zeros(1, 2, 2, 4));
        Assert.That(g.CountParams(), Is.EqualTo(18));
    }

    [Test]
    public void GroupsWithOneInputChannelEachAreRightForChannelsLast()
    {
        // Regression: libtorch's CPU float32 conv gives wrong values for channels_last-strided inputs when each group
        // has 1 input and several output channels; the layer must still be exact. Channels [[1,2],[3,4]] and
        // [[10,20],[30,40]]; filters 0–1 read channel 0, filters 2–3 channel 1. Kernel (2, 2, 1, 4) per cell (h, w):
        // f0 ones → 10, f1 1 at (0,0) → 1, f2 twos → 200, f3 1 at (1,1) → 40.
        var x = T([1, 10, 2, 20, 3, 30, 4, 40], 1, 2, 2, 2);
        var conv = new Conv2D(4, 2, groups: 2, useBias: false);
        conv.Apply(x);
        conv.SetWeights([T([1, 1, 2, 0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 2, 1], 2, 2, 1, 4)]);
        AssertClose(conv.Apply(x), [10, 1, 200, 40], [1, 1, 1, 4]);
    }

    [Test]
    public void Conv1DValidCausalAndDilated()
    {
        var x = T([1, 2, 3, 4], 1, 4, 1);
        var kernel = T([2, 1], 2, 1, 1);   // y[t] = 2·x[t] + 1·x[t+1] (valid), i.e. 2·x[t−1] + x[t] when causal.
        var valid = new Conv1D(1, 2, useBias: false);
        valid.Apply(x);
        valid.SetWeights([kernel]);
        AssertClose(valid.Apply(x), [4, 7, 10], [1, 3, 1]);   // 2+2, 4+3, 6+4
        var causal = new Conv1D(1, 2, padding: "causal", useBias: false);
        causal.Apply(x);
        causal.SetWeights([kernel]);
        AssertClose(causal.Apply(x), [1, 4, 7, 10], [1, 4, 1]);   // left zero: 0+1, 2+2, 4+3, 6+4
        var dilated = new Conv1D(1, 2, padding: "causal", dilationRate: 2, useBias: false);
        dilated.Apply(x);
        dilated.SetWeights([kernel]);
        AssertClose(dilated.Apply(x), [1, 2, 5, 8], [1, 4, 1]);   // 2·x[t−2] + x[t]: 1, 2, 2+3, 4+4
        // Params: Conv1D(8, 3) on 5 channels: 3·5·8 + 8 = 128.
        var p = new Conv1D(8, 3);
        p.Apply(torch.zeros(1, 10, 5));
        Assert.That(p.CountParams(), Is.EqualTo(128));
        Assert.That(p.ComputeOutputShape([null, 10, 5]), Is.EqualTo(new int?[] { null, 8, 8 }));
        Assert.That(new Conv1D(8, 3, padding: "causal").ComputeOutputShape([null, 10, 5]), Is.EqualTo(new int?[] { null, 10, 8 }));
    }

    [Test]
    public void Conv3DMatchesHandComputedValue()
    {
        // Input 1..8 over (d, h, w) = 2×2×2, kernel 1..8 in the same order: Σ i² = 204, + bias 1.
        var x = torch.arange(1, 9, dtype: ScalarType.Float32).reshape(1, 2, 2, 2, 1);
        var conv = new Conv3D(1, 2);
        conv.Apply(x);
        conv.SetWeights([torch.arange(1, 9, dtype: ScalarType.Float32).reshape(2, 2, 2, 1, 1), T([1], 1)]);
        AssertClose(conv.Apply(x), [205], [1, 1, 1, 1, 1]);
        // Params: Conv3D(4, 3) on 2 channels: 27·2·4 + 4 = 220; output (None, 3, 4, 5, 4) for (5, 6, 7, 2).
        var p = new Conv3D(4, 3);
        Assert.That(p.ComputeOutputShape([null, 5, 6, 7, 2]), Is.EqualTo(new int?[] { null, 3, 4, 5, 4 }));
        p.Apply(torch.zeros([1, 5, 6, 7, 2]));
        Assert.That(p.CountParams(), Is.EqualTo(220));
        Assert.That(p.GetWeights()[0].shape, Is.EqualTo(new long[] { 3, 3, 3, 2, 4 }));
    }

    [Test]
    public void ConfigRoundTrips()
    {
        AssertConfigRoundTrip(new Conv2D(4, (3, 2), strides: 2, padding: "same", activation: "relu", useBias: false,
            kernelInitializer: "he_normal", kernelRegularizer: "l2"), [null, 8, 8, 3]);
        AssertConfigRoundTrip(new Conv2D(4, 3, dilationRate: 2, groups: 2, dataFormat: "channels_first", inputShape: [4, 9, 9]), [null, 4, 9, 9]);
        AssertConfigRoundTrip(new Conv1D(3, 2, padding: "causal"), [null, 6, 2]);
        AssertConfigRoundTrip(new Conv3D(2, 2, strides: (1, 2, 1)), [null, 4, 4, 4, 1]);
        var cfg = new Conv2D(4, 3).GetConfig();
        Assert.That(cfg["kernel_size"], Is.EqualTo(new[] { 3, 3 }));
        Assert.That(cfg["strides"], Is.EqualTo(new[] { 1, 1 }));
        Assert.That(cfg["padding"], Is.EqualTo("valid"));
        Assert.That(cfg["data_format"], Is.EqualTo("channels_last"));
        Assert.That(cfg["kernel_initializer"], Is.EqualTo("glorot_uniform"));
    }

    [Test]
    public void RegularizersFollowKeras3()
    {
        // Activity L1(0.01) on a 1×1 ones-kernel conv of a (2, 2, 2, 1) ones input: 8 outputs of 1 → 0.08, divided
        // by the batch size 2 → 0.04 (Keras 3's Layer.__call__ divides every activity penalty by the batch size).
        var conv = new Conv2D(1, 1, useBias: false, kernelInitializer: "ones", activityRegularizer: new Regularizers.L1(0.01),
            kernelRegularizer: new Regularizers.L2(0.5));
        conv.Apply(torch.ones(2, 2, 2, 1));
        var losses = conv.ActivityLosses.ToList();
        Assert.That(losses, Has.Count.EqualTo(1));
        Assert.That(losses[0].item<float>(), Is.EqualTo(0.04f).Within(1e-6));
        // Kernel L2(0.5) on the 1×1 kernel 3: 0.5·9 = 4.5.
        conv.SetWeights([T([3], 1, 1, 1, 1)]);
        Assert.That(conv.RegularizationLoss()!.item<float>(), Is.EqualTo(4.5f).Within(1e-6));
    }

    [Test]
    public void GradientReachesKernelAndBias()
    {
        AssertGradientReachesEveryTrainableWeight(new Conv2D(3, 2, strides: 2, padding: "same"), torch.randn(2, 5, 5, 2));
        AssertGradientReachesEveryTrainableWeight(new Conv1D(3, 2, padding: "causal"), torch.randn(2, 5, 2));
        AssertGradientReachesEveryTrainableWeight(new Conv3D(2, 2), torch.randn([1, 3, 3, 3, 2]));
    }

    [Test]
    public void KernelLargerThanInputThrowsNamingLayerAndShapes()
    {
        var conv = new Conv2D(8, 5, name: "big_kernel");
        var input = Keras.Input(shape: [2, 2, 1]);
        var ex = Assert.Throws<ArgumentException>(() => conv.Apply(input))!;
        Assert.That(ex.Message, Does.Contain("big_kernel").And.Contain("(None, 2, 2, 1)").And.Contain("(5, 5)").And.Contain("(None, -2, -2, 8)"));
        Assert.That(conv.Variables, Is.Empty, "a failed build leaves no weights");
        Assert.That(conv.Built, Is.False);
        var ex2 = Assert.Throws<ArgumentException>(() => conv.Apply(torch.zeros(1, 2, 2, 1)))!;
        Assert.That(ex2.Message, Does.Contain("big_kernel").And.Contain("(None, 2, 2, 1)"));
        // Built on a large input, then called on a smaller one: still an ArgumentException, not a native error.
        var ok = new Conv2D(2, 3, name: "built_conv");
        ok.Apply(torch.zeros(1, 8, 8, 1));
        var ex3 = Assert.Throws<ArgumentException>(() => ok.Apply(torch.zeros(1, 2, 2, 1)))!;
        Assert.That(ex3.Message, Does.Contain("built_conv").And.Contain("(None, 2, 2, 1)"));
        // Other spatial sizes are fine once built (Keras only pins the channels).
        Assert.That(ok.Apply(torch.zeros(1, 5, 6, 1)).shape, Is.EqualTo(new long[] { 1, 3, 4, 2 }));
    }

    [Test]
    public void BadArgumentsThrowNamingTheArgument()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(0, 3))!.ParamName, Is.EqualTo("filters"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(-4, 3))!.ParamName, Is.EqualTo("filters"));
        var pad = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "full"))!;
        Assert.That(pad.ParamName, Is.EqualTo("padding"));
        Assert.That(pad.Message, Does.Contain("'full'"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "causal"))!.ParamName, Is.EqualTo("padding"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(4, (3, 3, 3)))!.ParamName, Is.EqualTo("kernelSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 0))!.ParamName, Is.EqualTo("kernelSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, strides: 0))!.ParamName, Is.EqualTo("strides"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, strides: 2, dilationRate: 2))!.ParamName, Is.EqualTo("dilationRate"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, dataFormat: "nhwc"))!.ParamName, Is.EqualTo("dataFormat"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(5, 3, groups: 2))!.ParamName, Is.EqualTo("filters"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, activation: "nope"))!.ParamName, Is.EqualTo("activation"));
        // Rank mismatch: a Conv2D needs (batch, height, width, channels).
        var conv = new Conv2D(4, 3, name: "rank_conv");
        var rank = Assert.Throws<ArgumentException>(() => conv.Apply(torch.zeros(2, 8, 3)))!;
        Assert.That(rank.Message, Does.Contain("rank_conv").And.Contain("rank 4").And.Contain("(None, 8, 3)"));
        Assert.That(rank.ParamName, Is.EqualTo("inputs"));
        // Channels that the groups do not divide, and wrong channels after build.
        Assert.Throws<ArgumentException>(() => new Conv2D(4, 1, groups: 2).Apply(torch.zeros(1, 3, 3, 3)));
        conv.Apply(torch.zeros(1, 5, 5, 3));
        var ch = Assert.Throws<ArgumentException>(() => conv.Apply(torch.zeros(1, 5, 5, 2)))!;
        Assert.That(ch.Message, Does.Contain("expected 3 channels"));
    }

    [Test]
    public void IntTupleForms()
    {
        Assert.That(new Conv2D(1, 3).KernelSize, Is.EqualTo(new[] { 3, 3 }));
        Assert.That(new Conv2D(1, (3, 5)).KernelSize, Is.EqualTo(new[] { 3, 5 }));
        Assert.That(new Conv2D(1, [2, 4]).KernelSize, Is.EqualTo(new[] { 2, 4 }));
        Assert.That(new Conv2D(1, new[] { 1, 2 }, strides: (2, 1)).Strides, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(new Conv3D(1, 2).KernelSize, Is.EqualTo(new[] { 2, 2, 2 }));
        Assert.That(new Conv1D(1, [4]).KernelSize, Is.EqualTo(new[] { 4 }));
    }
}
