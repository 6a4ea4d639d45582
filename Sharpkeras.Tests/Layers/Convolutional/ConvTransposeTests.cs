using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class ConvTransposeTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(2);
    }

    // Input [[1, 2], [3, 4]] as (1, 2, 2, 1).
    private static Tensor X() => T([1, 2, 3, 4], 1, 2, 2, 1);

    private static Conv2DTranspose Make(IntTuple kernel, IntTuple? strides, string padding, float[] kernelValues, float bias,
        IntTuple? outputPadding = null)
    {
        var layer = new Conv2DTranspose(1, kernel, strides: strides, padding: padding, outputPadding: outputPadding);
        layer.Apply(X());
        var k = layer.KernelSize;
        layer.SetWeights([T(kernelValues, k[0], k[1], 1, 1), T([bias], 1)]);
        return layer;
    }

    [Test]
    public void ParamCountAndLayout()
    {
        // Kernel (kh, kw, filters, in) = 3·3·16·4 = 576, + bias 16 = 592.
        var layer = new Conv2DTranspose(16, 3);
        layer.Apply(torch.zeros(1, 8, 8, 4));
        Assert.That(layer.CountParams(), Is.EqualTo(3 * 3 * 16 * 4 + 16).And.EqualTo(592));
        Assert.That(layer.GetWeights()[0].shape, Is.EqualTo(new long[] { 3, 3, 16, 4 }));
        Assert.That(layer.Kernel.Value.shape, Is.EqualTo(new long[] { 4, 16, 3, 3 }), "torch layout (in, out, kh, kw)");
    }

    [Test]
    public void OutputShapesFollowKerasFormula()
    {
        // valid: (n − 1)·s + max(k, s); same: n·s; with outputPadding p: valid (n − 1)·s + k + p, same (n − 1)·s + k mod 2 + p.
        Assert.That(new Conv2DTranspose(8, 3, strides: 2).ComputeOutputShape([null, 7, 7, 4]), Is.EqualTo(new int?[] { null, 15, 15, 8 }));
        Assert.That(new Conv2DTranspose(8, 2, strides: 3).ComputeOutputShape([null, 7, 7, 4]), Is.EqualTo(new int?[] { null, 21, 21, 8 }));
        Assert.That(new Conv2DTranspose(8, 3, strides: 2, padding: "same").ComputeOutputShape([null, 7, 5, 4]), Is.EqualTo(new int?[] { null, 14, 10, 8 }));
        Assert.That(new Conv2DTranspose(8, 3, strides: 2, outputPadding: 1).ComputeOutputShape([null, 7, 7, 4]), Is.EqualTo(new int?[] { null, 16, 16, 8 }));
        Assert.That(new Conv2DTranspose(8, 4, strides: 2, padding: "same", outputPadding: 1).ComputeOutputShape([null, 7, 7, 4]),
            Is.EqualTo(new int?[] { null, 13, 13, 8 }));   // 6·2 + 0 + 1
        Assert.That(new Conv2DTranspose(8, 3, dilationRate: 2).ComputeOutputShape([null, 5, 5, 4]), Is.EqualTo(new int?[] { null, 9, 9, 8 }));
        Assert.That(new Conv2DTranspose(8, 3, dataFormat: "channels_first").ComputeOutputShape([null, 4, 5, 5]), Is.EqualTo(new int?[] { null, 8, 7, 7 }));
        // The real outputs agree with the formula.
        foreach (var (k, s, p, op) in new (int, int, string, int?)[] { (3, 2, "valid", null), (2, 3, "valid", null), (3, 2, "same", null), (4, 2, "same", 1), (2, 2, "valid", 1), (1, 2, "same", null) })
        {
            var layer = new Conv2DTranspose(2, k, strides: s, padding: p, outputPadding: op);
            var expected = layer.ComputeOutputShape([null, 5, 4, 3]);
            var y = layer.Apply(torch.zeros(2, 5, 4, 3));
            Assert.That(y.shape, Is.EqualTo(new long[] { 2, expected[1]!.Value, expected[2]!.Value, 2 }), $"k={k} s={s} {p} op={op}");
        }
    }

    [Test]
    public void StrideTwoValidScattersScaledKernels()
    {
        // Each input x[i, j] adds x·k to the 2×2 block at (2i, 2j); k = [[1, 2], [3, 4]].
        var layer = Make(2, 2, "valid", [1, 2, 3, 4], 0);
        AssertClose(layer.Apply(X()), [1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16], [1, 4, 4, 1]);
    }

    [Test]
    public void StrideOneValidIsFullCorrelation()
    {
        // out[a, b] = Σ x[i, j]·k[a − i, b − j]: 1; 2 + 2; 4 / 3 + 3; 4 + 6 + 6 + 4; 8 + 8 / 9; 12 + 12; 16.
        var layer = Make(2, 1, "valid", [1, 2, 3, 4], 0);
        AssertClose(layer.Apply(X()), [1, 4, 4, 6, 20, 16, 9, 24, 16], [1, 3, 3, 1]);
    }

    [Test]
    public void SameTakesTheTfWindow()
    {
        // Stride 1, k = 2, same: the forward conv pads 1 at the end, so the output is the full result's first 2×2.
        AssertClose(Make(2, 1, "same", [1, 2, 3, 4], 0).Apply(X()), [1, 4, 6, 20], [1, 2, 2, 1]);
        // Stride 2, k = 3 ones, same: full 5×5, forward padding (0 before, 1 after) → rows/cols 0..3.
        // Row r sums inputs i with 2i ≤ r ≤ 2i + 2: r0 {0}, r1 {0}, r2 {0, 1}, r3 {1}; same for columns.
        AssertClose(Make(3, 2, "same", Enumerable.Repeat(1f, 9).ToArray(), 0).Apply(X()),
            [1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4], [1, 4, 4, 1]);
        // Same with outputPadding 1 gives the same size here ((2 − 1)·2 + 3 mod 2 + 1 = 4) and the same window.
        AssertClose(Make(3, 2, "same", Enumerable.Repeat(1f, 9).ToArray(), 0, outputPadding: 1).Apply(X()),
            [1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4], [1, 4, 4, 1]);
    }

    [Test]
    public void StrideLargerThanKernelAddsBiasOnlyCells()
    {
        // k = 2, s = 3, valid: size (2 − 1)·3 + max(2, 3) = 6; rows/cols 2 and 5 receive no input, only the bias.
        var y = Make(2, 3, "valid", [1, 1, 1, 1], 0.5f).Apply(X());
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 6, 6, 1 }));
        var v = y.reshape(6, 6);
        Assert.That(v[0, 0].item<float>(), Is.EqualTo(1.5f));
        Assert.That(v[3, 4].item<float>(), Is.EqualTo(4.5f));   // x[1, 1] = 4 at block (3..4, 3..4)
        Assert.That(v[3, 0].item<float>(), Is.EqualTo(3.5f));   // x[1, 0] = 3
        Assert.That(v[2].allclose(torch.full(6, 0.5f)), Is.True);
        Assert.That(v[.., 5].allclose(torch.full(6, 0.5f)), Is.True);
        // outputPadding 1 with valid, k = 2, s = 2: (2 − 1)·2 + 2 + 1 = 5, the last row/column is bias only.
        var z = Make(2, 2, "valid", [1, 2, 3, 4], 0.25f, outputPadding: 1).Apply(X()).reshape(5, 5);
        Assert.That(z[4].allclose(torch.full(5, 0.25f)), Is.True);
        Assert.That(z[3, 3].item<float>(), Is.EqualTo(16.25f));
    }

    [Test]
    public void ChannelsFirstMatchesChannelsLastAndOneAndThreeD()
    {
        var x = torch.randn(2, 3, 4, 2);
        var last = new Conv2DTranspose(3, 3, strides: 2, padding: "same");
        var first = new Conv2DTranspose(3, 3, strides: 2, padding: "same", dataFormat: "channels_first");
        var yl = last.Apply(x);
        first.Apply(x.permute(0, 3, 1, 2).contiguous());
        first.SetWeights(last.GetWeights());
        Assert.That(first.Apply(x.permute(0, 3, 1, 2).contiguous()).permute(0, 2, 3, 1).allclose(yl, 1e-5, 1e-5), Is.True);
        // 1D: x = [1, 2], k = [1, 10], stride 2 valid → [1, 10, 2, 20].
        var c1 = new Conv1DTranspose(1, 2, strides: 2, useBias: false);
        var x1 = T([1, 2], 1, 2, 1);
        c1.Apply(x1);
        c1.SetWeights([T([1, 10], 2, 1, 1)]);
        AssertClose(c1.Apply(x1), [1, 10, 2, 20], [1, 4, 1]);
        // 3D: params 2·2·2·3·2 + 3 = 51; shape (None, 4, 6, 2, 3) for (2, 3, 1, 2) with strides 2 same.
        var c3 = new Conv3DTranspose(3, 2, strides: 2, padding: "same");
        Assert.That(c3.ComputeOutputShape([null, 2, 3, 1, 2]), Is.EqualTo(new int?[] { null, 4, 6, 2, 3 }));
        Assert.That(c3.Apply(torch.zeros([1, 2, 3, 1, 2])).shape, Is.EqualTo(new long[] { 1, 4, 6, 2, 3 }));
        Assert.That(c3.CountParams(), Is.EqualTo(51));
    }

    [Test]
    public void ConfigGradientAndBadArguments()
    {
        AssertConfigRoundTrip(new Conv2DTranspose(4, 3, strides: 2, padding: "same", outputPadding: 1, activation: "tanh"), [null, 3, 3, 2]);
        AssertConfigRoundTrip(new Conv1DTranspose(2, 3, strides: 2), [null, 4, 2]);
        AssertGradientReachesEveryTrainableWeight(new Conv2DTranspose(2, 3, strides: 2, padding: "same"), torch.randn(2, 3, 3, 2));
        AssertGradientReachesEveryTrainableWeight(new Conv2DTranspose(2, 2, strides: 3), torch.randn(2, 3, 3, 2));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DTranspose(0, 3))!.ParamName, Is.EqualTo("filters"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2DTranspose(2, 3, strides: 2, outputPadding: 2))!.ParamName, Is.EqualTo("outputPadding"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Conv2DTranspose(2, 3, padding: "causal"))!.ParamName, Is.EqualTo("padding"));
        var layer = new Conv2DTranspose(2, 3, name: "deconv");
        var ex = Assert.Throws<ArgumentException>(() => layer.Apply(torch.zeros(1, 3, 3)))!;
        Assert.That(ex.Message, Does.Contain("deconv").And.Contain("rank 4"));
    }
}
