using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class GlobalPoolingTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    // (1, 2, 2, 2): channel 0 = 1, 2, 3, 4; channel 1 = 10, 20, 30, 40.
    private static Tensor X() => T([1, 10, 2, 20, 3, 30, 4, 40], 1, 2, 2, 2);

    [Test]
    public void GlobalPooling2DValuesAndShapes()
    {
        AssertClose(new GlobalAveragePooling2D().Apply(X()), [2.5f, 25], [1, 2]);
        AssertClose(new GlobalMaxPooling2D().Apply(X()), [4, 40], [1, 2]);
        AssertClose(new GlobalAveragePooling2D(keepDims: true).Apply(X()), [2.5f, 25], [1, 1, 1, 2]);
        // channels_first: the same data as (1, 2, 2, 2) NCHW.
        AssertClose(new GlobalMaxPooling2D(dataFormat: "channels_first").Apply(X().permute(0, 3, 1, 2)), [4, 40], [1, 2]);
        Assert.That(new GlobalAveragePooling2D().ComputeOutputShape([null, 7, 7, 64]), Is.EqualTo(new int?[] { null, 64 }));
        Assert.That(new GlobalAveragePooling2D(keepDims: true).ComputeOutputShape([null, 7, 7, 64]), Is.EqualTo(new int?[] { null, 1, 1, 64 }));
        Assert.That(new GlobalMaxPooling2D(dataFormat: "channels_first", keepDims: true).ComputeOutputShape([null, 64, 7, 7]), Is.EqualTo(new int?[] { null, 64, 1, 1 }));
    }

    [Test]
    public void GlobalPooling1DAnd3D()
    {
        var x1 = T([1, 10, 2, 20, 6, 60], 1, 3, 2);   // steps 3, channels 2
        AssertClose(new GlobalAveragePooling1D().Apply(x1), [3, 30], [1, 2]);
        AssertClose(new GlobalMaxPooling1D().Apply(x1), [6, 60], [1, 2]);
        AssertClose(new GlobalMaxPooling1D(keepDims: true).Apply(x1), [6, 60], [1, 1, 2]);
        var x3 = torch.arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2, 1);
        AssertClose(new GlobalAveragePooling3D().Apply(x3), [3.5f], [1, 1]);
        AssertClose(new GlobalMaxPooling3D(keepDims: true).Apply(x3), [7], [1, 1, 1, 1, 1]);
        Assert.That(new GlobalMaxPooling3D().ComputeOutputShape([null, 2, 3, 4, 5]), Is.EqualTo(new int?[] { null, 5 }));
        Assert.That(new GlobalAveragePooling1D(dataFormat: "channels_first").ComputeOutputShape([null, 5, 9]), Is.EqualTo(new int?[] { null, 5 }));
    }

    [Test]
    public void GlobalAveragePooling1DTakesTheMaskedMean()
    {
        // Steps [1, 2, 9] (one channel) with mask [1, 1, 0]: (1 + 2) / 2 = 1.5; second sample [4, 5, 6], mask all: 5.
        var x = T([1, 2, 9, 4, 5, 6], 2, 3, 1);
        var mask = torch.tensor(new[] { true, true, false, true, true, true }).reshape(2, 3);
        Layer.SetMask(x, mask);
        var layer = new GlobalAveragePooling1D();
        var y = layer.Apply(x);
        AssertClose(y, [1.5f, 5], [2, 1]);
        Assert.That(Layer.GetMask(y), Is.Null, "the pooled output has no mask");
        // Without the mask: (1 + 2 + 9) / 3 = 4.
        AssertClose(layer.Apply(T([1, 2, 9], 1, 3, 1)), [4], [1, 1]);
        var bad = T([1, 2, 9], 1, 3, 1);
        Layer.SetMask(bad, torch.ones(1, 2, dtype: ScalarType.Bool));
        Assert.That(Assert.Throws<ArgumentException>(() => layer.Apply(bad))!.ParamName, Is.EqualTo("mask"));
    }

    [Test]
    public void ConfigParamsAndBadInput()
    {
        AssertConfigRoundTrip(new GlobalAveragePooling2D(keepDims: true), [null, 3, 3, 2]);
        AssertConfigRoundTrip(new GlobalMaxPooling1D(dataFormat: "channels_first"), [null, 3, 5]);
        AssertConfigRoundTrip(new GlobalAveragePooling3D(), [null, 2, 2, 2, 3]);
        var g = new GlobalAveragePooling2D(name: "gap");
        g.Apply(torch.zeros(1, 2, 2, 3));
        Assert.That(g.CountParams(), Is.EqualTo(0));
        var ex = Assert.Throws<ArgumentException>(() => new GlobalAveragePooling2D(name: "gap2").Apply(torch.zeros(2, 3)))!;
        Assert.That(ex.Message, Does.Contain("gap2").And.Contain("rank 4"));
        Assert.That(Assert.Throws<ArgumentException>(() => new GlobalMaxPooling2D(dataFormat: "nchw"))!.ParamName, Is.EqualTo("dataFormat"));
        var x = torch.randn(2, 3, 3, 2, requires_grad: true);
        new GlobalAveragePooling2D().Apply(x).sum().backward();
        Assert.That(x.grad!.allclose(torch.full(2, 3, 3, 2, 1f / 9)), Is.True, "d mean / dx = 1/9");
    }
}
