using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class PoolingTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    private static Tensor Arange4x4() => torch.arange(16, dtype: ScalarType.Float32).reshape(1, 4, 4, 1);

    private static Tensor Image3x3() => T([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3, 1);

    [Test]
    public void MaxAndAveragePooling2DValid()
    {
        // 4×4 image 0..15, 2×2 windows: max [[5, 7], [13, 15]], mean [[2.5, 4.5], [10.5, 12.5]].
        AssertClose(new MaxPooling2D(2).Apply(Arange4x4()), [5, 7, 13, 15], [1, 2, 2, 1]);
        AssertClose(new AveragePooling2D(2).Apply(Arange4x4()), [2.5f, 4.5f, 10.5f, 12.5f], [1, 2, 2, 1]);
        // Strides default to the pool size; with strides 1: 3×3 outputs, e.g. max of rows/cols 0..1 = 5.
        AssertClose(new MaxPooling2D(2, strides: 1).Apply(Image3x3()), [5, 6, 8, 9], [1, 2, 2, 1]);
        // A 3×2 window with strides (1, 2) on 0..15: rows i..i+2, cols 2j..2j+1: max = x[i+2, 2j+1].
        AssertClose(new MaxPooling2D((3, 2), strides: (1, 2)).Apply(Arange4x4()), [9, 11, 13, 15], [1, 2, 2, 1]);
    }

    [Test]
    public void SamePaddingPutsTheExtraCellAtTheEndAndAveragesRealCellsOnly()
    {
        // Pool 2, stride 1, same on 3×3 1..9: padding (0 before, 1 after); window of (i, j) = rows i..i+1, cols j..j+1.
        // max: [[5, 6, 6], [8, 9, 9], [8, 9, 9]].
        AssertClose(new MaxPooling2D(2, strides: 1, padding: "same").Apply(Image3x3()), [5, 6, 6, 8, 9, 9, 8, 9, 9], [1, 3, 3, 1]);
        // mean of the real cells: (0,0) (1+2+4+5)/4 = 3, (0,1) 4, (0,2) (3+6)/2 = 4.5, (1,0) 6, (1,1) 7, (1,2) (6+9)/2 = 7.5,
        // (2,0) (7+8)/2 = 7.5, (2,1) (8+9)/2 = 8.5, (2,2) 9/1 = 9 (padded cells are not counted).
        AssertClose(new AveragePooling2D(2, strides: 1, padding: "same").Apply(Image3x3()), [3, 4, 4.5f, 6, 7, 7.5f, 7.5f, 8.5f, 9], [1, 3, 3, 1]);
        // Pool 3, stride 1, same: symmetric padding 1; (0,0) (1+2+4+5)/4 = 3, (0,1) (1+…+6)/6 = 3.5, (1,1) 45/9 = 5.
        var avg3 = new AveragePooling2D(3, strides: 1, padding: "same").Apply(Image3x3());
        AssertClose(avg3, [3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7], [1, 3, 3, 1]);
        // Stride 2 on 4×4 with pool 3: ceil(4/2) = 2, padding 1 at the end: max over rows/cols {0,1,2} and {2,3}.
        AssertClose(new MaxPooling2D(3, strides: 2, padding: "same").Apply(Arange4x4()), [10, 11, 14, 15], [1, 2, 2, 1]);
        // Average of the same windows: (0,0) 45/9 = 5, (0,1) 39/6 = 6.5, (1,0) 66/6 = 11, (1,1) 50/4 = 12.5.
        AssertClose(new AveragePooling2D(3, strides: 2, padding: "same").Apply(Arange4x4()), [5, 6.5f, 11, 12.5f], [1, 2, 2, 1]);
    }

    [Test]
    public void OneAndThreeDimensionalPooling()
    {
        // MaxPooling1D default pool 2 on [1, 3, 2, 5, 4]: floor((5 − 2)/2) + 1 = 2 outputs: [3, 5].
        AssertClose(new MaxPooling1D().Apply(T([1, 3, 2, 5, 4], 1, 5, 1)), [3, 5], [1, 2, 1]);
        // AveragePooling1D pool 2, stride 2, same on [1, 2, 3]: padding 1 at the end: [(1+2)/2, 3/1].
        AssertClose(new AveragePooling1D(2, strides: 2, padding: "same").Apply(T([1, 2, 3], 1, 3, 1)), [1.5f, 3], [1, 2, 1]);
        // 3D: a 2×2×2 volume 0..7, pool 2: max 7, mean 3.5.
        var v = torch.arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2, 1);
        AssertClose(new MaxPooling3D(2).Apply(v), [7], [1, 1, 1, 1, 1]);
        AssertClose(new AveragePooling3D(2).Apply(v), [3.5f], [1, 1, 1, 1, 1]);
        // 3D same with stride 1 on 2×2×2 and pool 2: the last cell averages only itself: 7.
        var avg = new AveragePooling3D(2, strides: 1, padding: "same").Apply(v);
        Assert.That(avg.shape, Is.EqualTo(new long[] { 1, 2, 2, 2, 1 }));
        Assert.That(avg[0, 1, 1, 1, 0].item<float>(), Is.EqualTo(7f));
        Assert.That(avg[0, 0, 0, 0, 0].item<float>(), Is.EqualTo(3.5f));
        Assert.That(avg[0, 1, 1, 0, 0].item<float>(), Is.EqualTo((6f + 7f) / 2));
    }

    [Test]
    public void OutputShapesAndChannelsFirst()
    {
        // valid: floor((n − p)/s) + 1; same: ceil(n/s).
        Assert.That(new MaxPooling2D(2).ComputeOutputShape([null, 32, 32, 3]), Is.EqualTo(new int?[] { null, 16, 16, 3 }));
        Assert.That(new MaxPooling2D(3, strides: 2).ComputeOutputShape([null, 7, 8, 3]), Is.EqualTo(new int?[] { null, 3, 3, 3 }));
        Assert.That(new AveragePooling2D(3, strides: 2, padding: "same").ComputeOutputShape([null, 7, 8, 3]), Is.EqualTo(new int?[] { null, 4, 4, 3 }));
        Assert.That(new MaxPooling1D(3).ComputeOutputShape([null, 10, 4]), Is.EqualTo(new int?[] { null, 3, 4 }));
        Assert.That(new AveragePooling3D(2).ComputeOutputShape([null, 4, 5, 6, 2]), Is.EqualTo(new int?[] { null, 2, 2, 3, 2 }));
        Assert.That(new MaxPooling2D(2, dataFormat: "channels_first").ComputeOutputShape([null, 3, 8, 6]), Is.EqualTo(new int?[] { null, 3, 4, 3 }));
        Assert.That(new MaxPooling2D(2).ComputeOutputShape([null, null, null, 3]), Is.EqualTo(new int?[] { null, null, null, 3 }));
        var x = torch.randn(2, 5, 7, 3);
        foreach (var (max, pad) in new[] { (true, "valid"), (true, "same"), (false, "valid"), (false, "same") })
        {
            Layer last = max ? new MaxPooling2D(3, strides: 2, padding: pad) : new AveragePooling2D(3, strides: 2, padding: pad);
            Layer first = max ? new MaxPooling2D(3, strides: 2, padding: pad, dataFormat: "channels_first")
                : new AveragePooling2D(3, strides: 2, padding: pad, dataFormat: "channels_first");
            var yl = last.Apply(x);
            Assert.That(yl.shape, Is.EqualTo(last.ComputeOutputShape([null, 5, 7, 3]).Select(d => (long)(d ?? 2)).ToArray()));
            var yf = first.Apply(x.permute(0, 3, 1, 2).contiguous()).permute(0, 2, 3, 1);
            Assert.That(yf.allclose(yl, 1e-5, 1e-5), Is.True, $"max={max} {pad}");
            Assert.That(yl.is_contiguous(), Is.True, "channels_last pooling output is contiguous NHWC");
        }
    }

    [Test]
    public void PoolingHasNoParamsAndRoundTripsItsConfig()
    {
        var pool = new MaxPooling2D(2);
        pool.Apply(torch.zeros(1, 4, 4, 2));
        Assert.That(pool.CountParams(), Is.EqualTo(0));
        AssertConfigRoundTrip(new MaxPooling2D((2, 3), strides: (1, 2), padding: "same"), [null, 6, 6, 2]);
        AssertConfigRoundTrip(new AveragePooling1D(3, padding: "same"), [null, 7, 2]);
        AssertConfigRoundTrip(new AveragePooling3D(2, dataFormat: "channels_first"), [null, 2, 4, 4, 4]);
        var c = new AveragePooling2D(3).GetConfig();
        Assert.That(c["pool_size"], Is.EqualTo(new[] { 3, 3 }));
        Assert.That(c["strides"], Is.EqualTo(new[] { 3, 3 }));
    }

    [Test]
    public void GradientFlowsThroughPooling()
    {
        var x = torch.randn(2, 4, 4, 2, requires_grad: true);
        new AveragePooling2D(3, strides: 2, padding: "same").Apply(x).sum().backward();
        Assert.That(x.grad, Is.Not.Null);
        // Each cell's gradient is Σ over windows containing it of 1/(real cells in the window) > 0.
        Assert.That(x.grad!.min().item<float>(), Is.GreaterThan(0f));
        var y = torch.randn(2, 4, 4, 2, requires_grad: true);
        new MaxPooling2D(2).Apply(y).sum().backward();
        // One winner per 2×2 window: 4 windows × 2 channels × 2 samples = 16 ones.
        Assert.That(y.grad!.sum().item<float>(), Is.EqualTo(16f));
    }

    [Test]
    public void KerasAliasesBehaveAndAreNamedLikeTheLayers()
    {
        // keras.layers.MaxPool2D is MaxPooling2D: same results, names from the same counter.
        var a = new MaxPooling2D(2);
        var b = new MaxPool2D(2);
        Assert.That(a.Name, Is.EqualTo("max_pooling2d"));
        Assert.That(b.Name, Is.EqualTo("max_pooling2d_1"));
        Assert.That(b, Is.InstanceOf<MaxPooling2D>());
        AssertClose(b.Apply(Arange4x4()), [5, 7, 13, 15], [1, 2, 2, 1]);
        AssertClose(new AvgPool2D(2).Apply(Arange4x4()), [2.5f, 4.5f, 10.5f, 12.5f], [1, 2, 2, 1]);
        Assert.That(new AvgPool1D().Name, Is.EqualTo("average_pooling1d"));
        Assert.That(new MaxPool3D().PoolSize, Is.EqualTo(new[] { 2, 2, 2 }));
        Assert.That(new AvgPool3D(padding: "same").Padding, Is.EqualTo("same"));
        Assert.That(new MaxPool1D(3).PoolSize, Is.EqualTo(new[] { 3 }));
        Assert.That(new GlobalAvgPool2D().Name, Is.EqualTo("global_average_pooling2d"));
        AssertClose(new GlobalMaxPool2D().Apply(Arange4x4()), [15], [1, 1]);
        AssertClose(new GlobalAvgPool3D().Apply(torch.arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2, 1)), [3.5f], [1, 1]);
        Assert.That(new GlobalMaxPool1D(keepDims: true).ComputeOutputShape([null, 4, 3]), Is.EqualTo(new int?[] { null, 1, 3 }));
        Assert.That(new GlobalMaxPool3D().ComputeOutputShape([null, 2, 2, 2, 3]), Is.EqualTo(new int?[] { null, 3 }));
        // The masked mean carries over to the alias.
        var x = T([1, 2, 9], 1, 3, 1);
        Layer.SetMask(x, torch.tensor(new[] { true, true, false }).reshape(1, 3));
        AssertClose(new GlobalAvgPool1D().Apply(x), [1.5f], [1, 1]);
        AssertConfigRoundTrip(new MaxPool2D((2, 3), strides: 1, padding: "same"), [null, 4, 4, 2]);
    }

    [Test]
    public void BadArgumentsAndInputs()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(0))!.ParamName, Is.EqualTo("poolSize"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(2, strides: 0))!.ParamName, Is.EqualTo("strides"));
        Assert.That(Assert.Throws<ArgumentException>(() => new AveragePooling2D(2, padding: "full"))!.ParamName, Is.EqualTo("padding"));
        Assert.That(Assert.Throws<ArgumentException>(() => new MaxPooling2D((2, 2, 2)))!.ParamName, Is.EqualTo("poolSize"));
        Assert.That(Assert.Throws<ArgumentException>(() => new MaxPooling1D(dataFormat: "NCW"))!.ParamName, Is.EqualTo("dataFormat"));
        var pool = new MaxPooling2D(3, name: "big_pool");
        var ex = Assert.Throws<ArgumentException>(() => pool.Apply(torch.zeros(1, 2, 2, 1)))!;
        Assert.That(ex.Message, Does.Contain("big_pool").And.Contain("(None, 2, 2, 1)").And.Contain("(3, 3)"));
        var rank = Assert.Throws<ArgumentException>(() => new MaxPooling2D(2, name: "p2").Apply(torch.zeros(1, 4, 4)))!;
        Assert.That(rank.Message, Does.Contain("p2").And.Contain("rank 4"));
    }
}
