using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersPreprocessing.PreprocessingTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

public class ResizingCropTests
{
    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    [Test]
    public void ResizingNearestTwoByTwoToFourByFour()
    {
        var img = T([1f, 2f, 3f, 4f], 1, 2, 2, 1);
        var y = new Resizing(4, 4, interpolation: "nearest").Apply(img);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 4, 4, 1 }));
        // source index ⌊(i + ½)·2/4⌋ = 0, 0, 1, 1: every pixel becomes a 2×2 block.
        Assert.That(Vals(y), Is.EqualTo(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }));
    }

    [Test]
    public void ResizingNearestDownsamplesWithHalfPixelCenters()
    {
        var img = torch.arange(9, dtype: ScalarType.Float32).reshape(1, 3, 3, 1);
        // ⌊(i + ½)·3/2⌋ = 0, 2: rows and columns 0 and 2 (plain "floor(i·3/2)" would give 0, 1).
        Assert.That(Vals(new Resizing(2, 2, interpolation: "nearest").Apply(img)), Is.EqualTo(new float[] { 0, 2, 6, 8 }));
    }

    [Test]
    public void ResizingBilinearHalfPixel()
    {
        var img = T([0f, 4f], 1, 1, 2, 1);
        // source x = (i + ½)/2 − ½ = −0.25, 0.25, 0.75, 1.25, clamped to [0, 1]: 0, 1, 3, 4
        Assert.That(Vals(new Resizing(1, 4).Apply(img)), Is.EqualTo(new float[] { 0, 1, 3, 4 }).Within(1e-5));
        // Bicubic keeps a constant image constant and has the requested shape.
        var flat = torch.full(new long[] { 2, 5, 7, 3 }, 9f);
        var cubic = new Resizing(4, 3, interpolation: "bicubic").Apply(flat);
        Assert.That(cubic.shape, Is.EqualTo(new long[] { 2, 4, 3, 3 }));
        Assert.That(Vals(cubic), Is.All.EqualTo(9f).Within(1e-4));
    }

    [Test]
    public void ResizingCropToAspectRatioAndChannelsFirstAndUnbatched()
    {
        // 4×8 image, target 2×2: crop ⌊8·2/2⌋→4 rows (all), ⌊4·2/2⌋ = 4 columns starting at ⌊(8−4)/2⌋ = 2.
        var img = torch.arange(32, dtype: ScalarType.Float32).reshape(4, 8, 1);
        var y = new Resizing(2, 2, interpolation: "nearest", cropToAspectRatio: true).Apply(img);   // unbatched (H, W, C)
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 2, 1 }));
        // crop rows 0..3, cols 2..5; nearest 4 -> 2 picks ⌊(i + ½)·2⌋ = 1, 3 -> rows 1, 3 and cols 3, 5
        Assert.That(Vals(y), Is.EqualTo(new float[] { 1 * 8 + 3, 1 * 8 + 5, 3 * 8 + 3, 3 * 8 + 5 }));

        var chw = torch.arange(8, dtype: ScalarType.Float32).reshape(1, 2, 2, 2);   // (N, C, H, W)
        var cf = new Resizing(4, 4, interpolation: "nearest", dataFormat: "channels_first").Apply(chw);
        Assert.That(cf.shape, Is.EqualTo(new long[] { 1, 2, 4, 4 }));
        Assert.That(Vals(cf[0, 1, 0]), Is.EqualTo(new float[] { 4, 4, 5, 5 }));

        var padded = new Resizing(4, 4, interpolation: "nearest", padToAspectRatio: true, fillValue: -1).Apply(torch.ones(1, 2, 4, 1));
        // pad 1 row above and below to 4×4, then resize 4×4 -> 4×4 (no change)
        Assert.That(Vals(padded[0, TensorIndex.Colon, 0, 0]), Is.EqualTo(new float[] { -1, 1, 1, -1 }));
    }

    [Test]
    public void ResizingSymbolicShapeAndBadArguments()
    {
        var inp = Keras.Input([10, 12, 3]);
        var y = new Resizing(5, 6).Apply(inp);
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 5, 6, 3 }));
        Assert.That(() => new Resizing(2, 2, interpolation: "lanczos3"), Throws.ArgumentException.With.Property("ParamName").EqualTo("interpolation"));
        Assert.That(() => new Resizing(0, 2), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("height"));
        Assert.That(() => new Resizing(2, 2, cropToAspectRatio: true, padToAspectRatio: true), Throws.ArgumentException);
        Assert.That(() => new Resizing(2, 2, name: "rsz").Apply(torch.zeros(4, 4)),
            Throws.ArgumentException.With.Message.Contains("rsz").And.Message.Contains("(4, 4)"));
        Assert.That(() => new Resizing(2, 2, name: "rsz5").Apply(torch.zeros(new long[] { 1, 2, 4, 4, 1 })),
            Throws.ArgumentException.With.Message.Contains("rsz5").And.Message.Contains("(1, 2, 4, 4, 1)"));
    }

    [Test]
    public void CenterCropTakesTheMiddle()
    {
        var img = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 4, 4, 1);
        var y = new CenterCrop(2, 2).Apply(img);
        Assert.That(Vals(y), Is.EqualTo(new float[] { 5, 6, 9, 10 }));   // rows 1-2, cols 1-2
        var five = torch.arange(25, dtype: ScalarType.Float32).reshape(1, 5, 5, 1);
        // start ⌊(5 − 2)/2⌋ = 1
        Assert.That(Vals(new CenterCrop(2, 3).Apply(five)), Is.EqualTo(new float[] { 6, 7, 8, 11, 12, 13 }));
        Assert.That(Vals(new CenterCrop(2, 2).Apply(img, training: true)), Is.EqualTo(Vals(y)), "deterministic");
        // Smaller than the target: cropped to the aspect ratio and resized (bilinear) — a constant image stays constant.
        var small = new CenterCrop(6, 6).Apply(torch.full(new long[] { 1, 3, 4, 2 }, 7f));
        Assert.That(small.shape, Is.EqualTo(new long[] { 1, 6, 6, 2 }));
        Assert.That(Vals(small), Is.All.EqualTo(7f).Within(1e-5));
        Assert.That(new CenterCrop(2, 3).ComputeOutputShape([null, 8, 8, 3]), Is.EqualTo(new int?[] { null, 2, 3, 3 }));
    }

    [Test]
    public void RandomCropPerSampleWindows()
    {
        var img = torch.arange(64, dtype: ScalarType.Float32).reshape(8, 8, 1);
        var batch = Copies(img, 16);
        var layer = new RandomCrop(4, 4, seed: 3);
        var y = layer.Apply(batch, training: true);
        Assert.That(y.shape, Is.EqualTo(new long[] { 16, 4, 4, 1 }));
        var starts = new HashSet<(int, int)>();
        for (int n = 0; n < 16; n++)
        {
            var v = Vals(y[n]);
            int r = (int)v[0] / 8, c = (int)v[0] % 8;
            Assert.That(r, Is.InRange(0, 4));
            Assert.That(c, Is.InRange(0, 4));
            var expected = Enumerable.Range(0, 16).Select(i => (float)((r + i / 4) * 8 + c + i % 4)).ToArray();
            Assert.That(v, Is.EqualTo(expected), "each output is a contiguous 4×4 window");
            starts.Add((r, c));
        }
        Assert.That(starts.Count, Is.GreaterThan(3), "different samples get different crops");
        // Same seed -> same crops.
        Assert.That(Vals(new RandomCrop(4, 4, seed: 3).Apply(batch, training: true)), Is.EqualTo(Vals(y)));
    }

    [Test]
    public void RandomCropInferenceResizesTheCenteredWindow()
    {
        var img = torch.arange(64, dtype: ScalarType.Float32).reshape(1, 8, 8, 1);   // value = 8·row + col
        var y = new RandomCrop(4, 4, seed: 1).Apply(img);
        // Aspect 1:1 keeps the whole 8×8 image; bilinear 8 -> 4 samples at 2i + ½: value 8(2r + ½) + (2c + ½) = 16r + 2c + 4.5.
        var expected = Enumerable.Range(0, 16).Select(i => 16f * (i / 4) + 2f * (i % 4) + 4.5f).ToArray();
        Assert.That(Vals(y), Is.EqualTo(expected).Within(1e-4));
        Assert.That(new RandomCrop(4, 5).ComputeOutputShape([null, 8, 8, 3]), Is.EqualTo(new int?[] { null, 4, 5, 3 }));
        // channels_first crops too.
        var cf = new RandomCrop(2, 3, dataFormat: "channels_first", seed: 2).Apply(torch.zeros(3, 2, 6, 6), training: true);
        Assert.That(cf.shape, Is.EqualTo(new long[] { 3, 2, 2, 3 }));
    }
}
