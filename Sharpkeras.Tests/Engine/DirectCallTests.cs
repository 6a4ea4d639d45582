using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>
/// Calling a layer's <c>Call</c> directly (bypassing Apply) with a bad input raises an ArgumentException naming the
/// layer instead of reaching libtorch (where a shape error would abort the process).
/// </summary>
public class DirectCallTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    private static void AssertRejects(Layer layer, Func<Tensor> call)
    {
        var e = Assert.Throws<ArgumentException>(() => call(), layer.GetType().Name)!;
        Assert.That(e.Message, Does.Contain(layer.Name), layer.GetType().Name);
    }

    [Test]
    public void SingleInputLayersCheckInCall()
    {
        var reshape = new Reshape([5]);
        AssertRejects(reshape, () => reshape.Call(Arange(2, 12), false));
        var permute = new Permute([2, 1]);
        AssertRejects(permute, () => permute.Call(Arange(2, 3), false));
        var repeat = new RepeatVector(2);
        AssertRejects(repeat, () => repeat.Call(Arange(2, 3, 4), false));
        var crop1 = new Cropping1D((3, 3));
        AssertRejects(crop1, () => crop1.Call(Arange(1, 5, 2), false));
        var crop2 = new Cropping2D(2);
        AssertRejects(crop2, () => crop2.Call(Arange(1, 3, 3, 1), false));
        var up1 = new UpSampling1D();
        AssertRejects(up1, () => up1.Call(Arange(2, 3), false));
        var up2 = new UpSampling2D();
        AssertRejects(up2, () => up2.Call(Arange(2, 3, 4), false));
        var zp1 = new ZeroPadding1D();
        AssertRejects(zp1, () => zp1.Call(Arange(2, 3), false));
        var zp2 = new ZeroPadding2D();
        AssertRejects(zp2, () => zp2.Call(Arange(2, 3), false));
        var sd = new SpatialDropout2D(0.5);
        AssertRejects(sd, () => sd.Call(Arange(2, 3), true));
        var prelu = new PReLU();
        prelu.Apply(Arange(1, 3));
        AssertRejects(prelu, () => prelu.Call(Arange(1, 4), false));
        var softmax = new Softmax(axis: 2);
        AssertRejects(softmax, () => softmax.Call(Arange(1, 4), false));
    }

    [Test]
    public void MergeLayersCheckInCall()
    {
        var add = new Add();
        AssertRejects(add, () => add.Call([Arange(2, 3), Arange(2, 4)], false));
        var cat = new Concatenate(axis: 1);
        AssertRejects(cat, () => cat.Call([Arange(2, 3), Arange(3, 3)], false));
        var dot = new Dot(axes: 1);
        AssertRejects(dot, () => dot.Call([Arange(2, 3), Arange(2, 4)], false));
        var sub = new Subtract();
        AssertRejects(sub, () => sub.Call([Arange(2, 3)], false));
    }
}
