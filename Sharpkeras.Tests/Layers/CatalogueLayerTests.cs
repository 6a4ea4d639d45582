using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Tests.LayersMisc;
using TorchSharp;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersCatalogue;

/// <summary>Masking, UnitNormalization, CategoryEncoding and Discretization against Keras's definitions.</summary>
public class CatalogueLayerTests
{
    [Test]
    public void MaskingZeroesAndMasksPaddedSteps()
    {
        var x = torch.tensor(new float[] { 1, 2, 0, 0, 3, 0 }).reshape(1, 3, 2);
        var layer = new Masking();
        Close(layer.Apply(x), [1, 2, 0, 0, 3, 0]);
        Assert.That(Values(layer.ComputeMask(x, null)!.to(ScalarType.Float32)), Is.EqualTo(new[] { 1.0, 0.0, 1.0 }));
        var m5 = new Masking(maskValue: 5);
        var y = torch.tensor(new float[] { 5, 5, 5, 1 }).reshape(1, 2, 2);
        Close(m5.Apply(y), [0, 0, 5, 1]);
        Assert.That(Values(m5.ComputeMask(y, null)!.to(ScalarType.Float32)), Is.EqualTo(new[] { 0.0, 1.0 }));
        var sym = new Masking(inputShape: [3, 2]);
        var k = Keras.Input(shape: [3, 2]);
        Assert.That(sym.Apply(k).HasMask, Is.True);
        Assert.That(((Masking)MiscTestUtils.Rebuild(new Masking(maskValue: -1))).MaskValue, Is.EqualTo(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Masking(double.NaN));
    }

    [Test]
    public void UnitNormalization()
    {
        Close(new UnitNormalization().Apply(T2(new double[,] { { 3, 4 }, { 0, 0 } })), [0.6, 0.8, 0, 0]);
        Close(new UnitNormalization(axis: [1, 2]).Apply(torch.tensor(new float[] { 1, 1, 1, 1 }).reshape(1, 2, 2)), [0.5, 0.5, 0.5, 0.5]);
        Assert.That(((UnitNormalization)MiscTestUtils.Rebuild(new UnitNormalization(axis: [1]))).Axis, Is.EqualTo(new[] { 1 }));
        Assert.Throws<ArgumentException>(() => new UnitNormalization(axis: []));
    }

    [Test]
    public void CategoryEncodingModes()
    {
        var ids = torch.tensor(new long[,] { { 0, 1 }, { 1, 1 } });
        Close(new CategoryEncoding(3).Apply(ids), [1, 1, 0, 0, 1, 0]);
        Close(new CategoryEncoding(3, outputMode: "count").Apply(ids), [1, 1, 0, 0, 2, 0]);
        Close(new CategoryEncoding(3, outputMode: "one_hot").Apply(torch.tensor(new long[,] { { 2 }, { 0 } })), [0, 0, 1, 1, 0, 0]);
        Close(new CategoryEncoding(3, outputMode: "multi_hot").Apply(torch.tensor(new long[] { 2, 0 })), [0, 0, 1, 1, 0, 0]);
        Close(new CategoryEncoding(3, outputMode: "count").Encode(ids, T2(new double[,] { { 0.5, 1 }, { 2, 3 } })), [0.5, 1, 0, 0, 5, 0]);
        Assert.That(new CategoryEncoding(4).ComputeOutputShape([null, 3]), Is.EqualTo(new int?[] { null, 4 }));
        Assert.That(((CategoryEncoding)MiscTestUtils.Rebuild(new CategoryEncoding(5, outputMode: "count"))).NumTokens, Is.EqualTo(5));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new CategoryEncoding(0))!.ParamName, Is.EqualTo("numTokens"));
        Assert.That(Assert.Throws<ArgumentException>(() => new CategoryEncoding(3, outputMode: "tf_idf"))!.ParamName, Is.EqualTo("outputMode"));
    }

    [Test]
    public void DiscretizationBucketsLikeNumpyDigitize()
    {
        var d = new Discretization([0, 1, 2]);
        var ids = d.Apply(T(-1.5, 0, 1.5, 2, 3));
        Assert.That(ids.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(ids.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 2, 3, 3 }));
        Close(new Discretization([0, 1, 2], outputMode: "one_hot").Apply(T2(new double[,] { { 0.5 } })), [0, 1, 0, 0]);
        Assert.That(((Discretization)MiscTestUtils.Rebuild(new Discretization([0.5, 1.5], outputMode: "count"))).BinBoundaries, Is.EqualTo(new[] { 0.5, 1.5 }));
        Assert.Throws<ArgumentException>(() => new Discretization([2, 1]));
        Assert.Throws<ArgumentException>(() => new Discretization([]));
        Assert.Throws<ArgumentException>(() => new Discretization([1], outputMode: "tf_idf"));
    }
}
