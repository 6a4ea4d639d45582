using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

/// <summary>The adaptive pooling layers against windows worked out by hand ([⌊i·L/O⌋, ⌈(i+1)·L/O⌉)).</summary>
public class AdaptivePoolingTests
{
    [Test]
    public void OneDimensionalWindowsOverlapLikeKeras()
    {
        // L = 5, O = 2: windows [0, 3) and [2, 5) of 1..5.
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5 }).reshape(1, 5, 1);
        Assert.That(Values(new AdaptiveAveragePooling1D(2).Apply(x)), Is.EqualTo(new double[] { 2, 4 }));
        Assert.That(Values(new AdaptiveMaxPooling1D(2).Apply(x)), Is.EqualTo(new double[] { 3, 5 }));
        var cf = new AdaptiveAveragePooling1D(2, dataFormat: "channels_first").Apply(x.permute(0, 2, 1));
        Assert.That(cf.shape, Is.EqualTo(new long[] { 1, 1, 2 }));
    }

    [Test]
    public void TwoDimensionalByHand()
    {
        // 3×3 of 0..8 to 2×2: windows rows/cols [0, 2) and [1, 3): {0,1,3,4}, {1,2,4,5}, {3,4,6,7}, {4,5,7,8}.
        var x = Arange(1, 3, 3, 1);
        var avg = new AdaptiveAveragePooling2D(2).Apply(x);
        Assert.That(avg.shape, Is.EqualTo(new long[] { 1, 2, 2, 1 }));
        Assert.That(Values(avg), Is.EqualTo(new double[] { 2, 3, 5, 6 }));
        Assert.That(Values(new AdaptiveMaxPooling2D((2, 2)).Apply(x)), Is.EqualTo(new double[] { 4, 5, 7, 8 }));
        // (1, 3): one row window (the whole height) and three column windows.
        Assert.That(Values(new AdaptiveAveragePooling2D((1, 3)).Apply(x)), Is.EqualTo(new double[] { 3, 4, 5 }));
        Assert.That(new AdaptiveMaxPooling2D([4, 5], dataFormat: "channels_first").ComputeOutputShape([null, 3, 9, 9]), Is.EqualTo(new int?[] { null, 3, 4, 5 }));
        Assert.That(SymbolicShape(new AdaptiveAveragePooling2D(3), 7, 8, 2), Is.EqualTo(new int?[] { null, 3, 3, 2 }));
        AssertRoundTrip(new AdaptiveAveragePooling2D((2, 1)), Arange(2, 4, 3, 2));
        AssertRoundTrip(new AdaptiveMaxPooling1D(3), Arange(2, 5, 2));
    }

    [Test]
    public void ThreeDimensionalAndErrors()
    {
        var x = Arange(1, 2, 2, 2, 1); // 0..7
        Assert.That(Values(new AdaptiveAveragePooling3D(1).Apply(x)), Is.EqualTo(new double[] { 3.5 }));
        Assert.That(Values(new AdaptiveMaxPooling3D((1, 1, 2)).Apply(x)), Is.EqualTo(new double[] { 6, 7 }));
        // 3×3×3 of 9d + 3h + w to 2×2×2: windows [0, 2) and [1, 3) per axis, so window (i, j, k) holds d ∈ {i, i+1}, …:
        // its maximum is 9(i+1) + 3(j+1) + (k+1) and its mean 9(i+½) + 3(j+½) + (k+½).
        var cube = Arange(1, 3, 3, 3, 1);
        Assert.That(Values(new AdaptiveMaxPooling3D(2).Apply(cube)), Is.EqualTo(new double[] { 13, 14, 16, 17, 22, 23, 25, 26 }));
        Assert.That(Values(new AdaptiveAveragePooling3D(2).Apply(cube)), Is.EqualTo(new double[] { 6.5, 7.5, 9.5, 10.5, 15.5, 16.5, 18.5, 19.5 }).Within(1e-5));
        var cubeFirst = new AdaptiveMaxPooling3D((2, 1, 3), dataFormat: "channels_first").Apply(cube.permute(0, 4, 1, 2, 3));
        Assert.That(cubeFirst.shape, Is.EqualTo(new long[] { 1, 1, 2, 1, 3 }));
        Assert.That(Values(cubeFirst), Is.EqualTo(new double[] { 9 + 6 + 0, 9 + 6 + 1, 9 + 6 + 2, 18 + 6 + 0, 18 + 6 + 1, 18 + 6 + 2 }));
        AssertRoundTrip(new AdaptiveMaxPooling3D([1, 2, 1], dataFormat: "channels_first"), Arange(1, 2, 3, 3, 3));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAveragePooling2D(0))!.ParamName, Is.EqualTo("outputSize"));
        Assert.That(Assert.Throws<ArgumentException>(() => new AdaptiveAveragePooling3D([1, 2]))!.ParamName, Is.EqualTo("outputSize"));
        Assert.Throws<ArgumentException>(() => new AdaptiveMaxPooling2D(2).Apply(Arange(1, 3, 3)));
    }
}
