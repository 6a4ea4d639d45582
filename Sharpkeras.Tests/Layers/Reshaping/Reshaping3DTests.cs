using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

/// <summary>ZeroPadding3D, Cropping3D and UpSampling3D against Keras's definitions.</summary>
public class Reshaping3DTests
{
    [Test]
    public void ZeroPadding3DPadsEachSpatialAxis()
    {
        var x = Arange(1, 1, 1, 2, 1) + 1; // values 1, 2 along dim3
        var y = new ZeroPadding3D([[0, 0], [1, 0], [0, 1]]).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 1, 2, 3, 1 }));
        Assert.That(Values(y), Is.EqualTo(new double[] { 0, 0, 0, 1, 2, 0 }));
        Assert.That(new ZeroPadding3D().ComputeOutputShape([null, 2, 3, 4, 5]), Is.EqualTo(new int?[] { null, 4, 5, 6, 5 }));
        Assert.That(new ZeroPadding3D((1, 0, 2), dataFormat: "channels_first").ComputeOutputShape([null, 5, 2, 3, 4]), Is.EqualTo(new int?[] { null, 5, 4, 3, 8 }));
        Assert.That(SymbolicShape(new ZeroPadding3D(2), 1, 1, 1, 3), Is.EqualTo(new int?[] { null, 5, 5, 5, 3 }));
        var cf = new ZeroPadding3D(1, dataFormat: "channels_first").Apply(torch.ones(new long[] { 1, 2, 1, 1, 1 }));
        Assert.That(cf.shape, Is.EqualTo(new long[] { 1, 2, 3, 3, 3 }));
        Assert.That(cf.sum().item<float>(), Is.EqualTo(2));
        AssertRoundTrip(new ZeroPadding3D([[1, 2], [0, 1], [2, 0]]), torch.ones(new long[] { 1, 2, 2, 2, 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding3D(-1));
        Assert.Throws<ArgumentException>(() => new ZeroPadding3D([[1, 1], [1, 1]]));
        Assert.Throws<ArgumentException>(() => new ZeroPadding3D().Apply(torch.ones(1, 2, 2, 2)));
    }

    [Test]
    public void Cropping3DRemovesEachSide()
    {
        var x = Arange(1, 3, 3, 3, 1); // value = 9·i + 3·j + k
        var y = new Cropping3D().Apply(x); // Keras's default crops 1 on every side: the centre (1, 1, 1) = 13
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 1, 1, 1, 1 }));
        Assert.That(Values(y), Is.EqualTo(new double[] { 13 }));
        var z = new Cropping3D([[2, 0], [0, 2], [1, 1]]).Apply(x); // i = 2, j = 0, k = 1
        Assert.That(Values(z), Is.EqualTo(new double[] { 19 }));
        Assert.That(new Cropping3D((1, 0, 1), dataFormat: "channels_first").ComputeOutputShape([null, 4, 5, 6, 7]), Is.EqualTo(new int?[] { null, 4, 3, 6, 5 }));
        AssertRoundTrip(new Cropping3D([[0, 1], [1, 0], [0, 0]]), Arange(1, 2, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => new Cropping3D(2).Apply(Arange(1, 3, 3, 3, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping3D([[0, -1], [0, 0], [0, 0]]));
    }

    [Test]
    public void UpSampling3DRepeatsEntries()
    {
        var x = Arange(1, 1, 1, 2, 1); // 0, 1 along dim3
        var y = new UpSampling3D((1, 2, 2)).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 1, 2, 4, 1 }));
        Assert.That(Values(y), Is.EqualTo(new double[] { 0, 0, 1, 1, 0, 0, 1, 1 }));
        Assert.That(new UpSampling3D().ComputeOutputShape([null, 1, 2, 3, 4]), Is.EqualTo(new int?[] { null, 2, 4, 6, 4 }));
        Assert.That(new UpSampling3D(3, dataFormat: "channels_first").ComputeOutputShape([null, 4, 1, 2, 3]), Is.EqualTo(new int?[] { null, 4, 3, 6, 9 }));
        var ints = new UpSampling3D(2).Apply(torch.ones(new long[] { 1, 1, 1, 1, 1 }, dtype: ScalarType.Int64));
        Assert.That(ints.dtype, Is.EqualTo(ScalarType.Int64));
        AssertRoundTrip(new UpSampling3D([1, 2, 3]), Arange(1, 2, 1, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling3D(0));
        Assert.Throws<ArgumentException>(() => new UpSampling3D([1, 2]));
    }
}
