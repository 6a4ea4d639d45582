using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class ReshapingTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    // ------------------------------------------------------------------ Reshape

    [Test]
    public void ReshapeShapesAndValues()
    {
        var layer = new Reshape([3, 4]);
        Assert.That(layer.ComputeOutputShape([null, 12]), Is.EqualTo(new int?[] { null, 3, 4 }));
        Assert.That(SymbolicShape(new Reshape([-1, 2, 2]), 3, 4), Is.EqualTo(new int?[] { null, 3, 2, 2 }));
        // An unknown sample size leaves the -1 unknown (Keras's compute_reshape_output_shape).
        Assert.That(new Reshape([-1, 4]).ComputeOutputShape([null, null, 4]), Is.EqualTo(new int?[] { null, null, 4 }));
        var x = Arange(2, 12);
        var y = layer.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 4 }));
        // Row-major: y[b, i, j] = x[b, 4i + j] = 12b + 4i + j. y[1, 2, 3] = 12 + 8 + 3 = 23.
        Assert.That(y[1, 2, 3].item<float>(), Is.EqualTo(23f));
        Assert.That(y[0, 1, 0].item<float>(), Is.EqualTo(4f));
        // -1 is inferred: 12 values / (2 * 2) = 3.
        Assert.That(new Reshape([2, -1, 2]).Apply(x).shape, Is.EqualTo(new long[] { 2, 2, 3, 2 }));
        AssertRoundTrip(new Reshape([6, -1]), x);
    }

    [Test]
    public void ReshapeKeepsIntegerInputs()
    {
        var ids = torch.arange(6, dtype: ScalarType.Int64).reshape(1, 6);
        var y = new Reshape([2, 3]).Apply(ids);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(y[0, 1, 2].item<long>(), Is.EqualTo(5L));
        Assert.That(new Reshape([2, 3]).Apply(Keras.Input([6], dtype: ScalarType.Int64)).DType, Is.EqualTo(ScalarType.Int64));
    }

    [Test]
    public void ReshapeRejectsBadTargetsAndIncompatibleSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Reshape([-1, -1]))!;
        Assert.That(e.ParamName, Is.EqualTo("targetShape"));
        Assert.Throws<ArgumentException>(() => new Reshape([-2, 3]));
        var layer = new Reshape([5], name: "bad_reshape");
        var ex = Assert.Throws<ArgumentException>(() => layer.Apply(Keras.Input([12])))!;
        Assert.That(ex.Message, Does.Contain("bad_reshape").And.Contain("(None, 12)").And.Contain("targetShape (5)"));
        Assert.That(layer.Built, Is.False, "a failed build leaves the layer unbuilt");
        // 12 values cannot fill (5, -1).
        Assert.Throws<ArgumentException>(() => new Reshape([5, -1]).Apply(Arange(2, 12)));
        // Built for 12 values per sample, then given 10.
        var r = new Reshape([3, 4]);
        r.Apply(Arange(2, 12));
        var ex2 = Assert.Throws<ArgumentException>(() => r.Apply(Arange(2, 10)))!;
        Assert.That(ex2.Message, Does.Contain("(2, 10)"));
    }

    // ------------------------------------------------------------------ Permute

    [Test]
    public void PermuteSwapsAxesOneBased()
    {
        var layer = new Permute([2, 1]);
        Assert.That(SymbolicShape(layer, 10, 64), Is.EqualTo(new int?[] { null, 64, 10 }));
        var x = Arange(2, 3, 4);
        var y = new Permute([2, 1]).Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 4, 3 }));
        // y[b, i, j] = x[b, j, i] = 12b + 4j + i: y[1, 3, 2] = 12 + 8 + 3 = 23; y[0, 1, 2] = 8 + 1 = 9.
        Assert.That(y[1, 3, 2].item<float>(), Is.EqualTo(23f));
        Assert.That(y[0, 1, 2].item<float>(), Is.EqualTo(9f));
        var p = new Permute([3, 1, 2]);
        Assert.That(p.ComputeOutputShape([null, 5, 6, 7]), Is.EqualTo(new int?[] { null, 7, 5, 6 }));
        AssertRoundTrip(new Permute([2, 1]), x);
    }

    [Test]
    public void PermuteRejectsInvalidDimsAndRanks()
    {
        foreach (var dims in new[] { new[] { 0, 1 }, new[] { 1, 1 }, new[] { 2, 3 }, Array.Empty<int>() })
        {
            var e = Assert.Throws<ArgumentException>(() => new Permute(dims))!;
            Assert.That(e.ParamName, Is.EqualTo("dims"));
            Assert.That(e.Message, Does.Contain($"({string.Join(", ", dims)})"));
        }
        var layer = new Permute([2, 1], name: "perm");
        var ex = Assert.Throws<ArgumentException>(() => layer.Apply(Arange(2, 3, 4, 5)))!;
        Assert.That(ex.Message, Does.Contain("perm").And.Contain("rank 3").And.Contain("(None, 3, 4, 5)"));
    }

    // ------------------------------------------------------------------ RepeatVector

    [Test]
    public void RepeatVectorRepeatsRows()
    {
        Assert.That(SymbolicShape(new RepeatVector(3), 32), Is.EqualTo(new int?[] { null, 3, 32 }));
        var x = T([1, 2, 3, 4], 2, 2);
        var y = new RepeatVector(3).Apply(x);
        AssertClose(y, [2, 3, 2], [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
        AssertRoundTrip(new RepeatVector(2), x);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatVector(0));
        var ex = Assert.Throws<ArgumentException>(() => new RepeatVector(2, name: "rv").Apply(Arange(1, 2, 3)))!;
        Assert.That(ex.Message, Does.Contain("rv").And.Contain("rank 2"));
    }

    // ------------------------------------------------------------------ ZeroPadding

    [Test]
    public void ZeroPadding1DPadsTheStepsAxis()
    {
        var x = T([1, 2, 3, 4], 1, 2, 2);
        var d = new ZeroPadding1D();   // Keras's default padding 1
        Assert.That(d.ComputeOutputShape([null, 2, 2]), Is.EqualTo(new int?[] { null, 4, 2 }));
        AssertClose(d.Apply(x), [1, 4, 2], [0, 0, 1, 2, 3, 4, 0, 0]);
        var asym = new ZeroPadding1D((2, 1));
        Assert.That(SymbolicShape(asym, 5, 3), Is.EqualTo(new int?[] { null, 8, 3 }));
        AssertClose(asym.Apply(x), [1, 5, 2], [0, 0, 0, 0, 1, 2, 3, 4, 0, 0]);
        // channels_first: (batch, features, steps), zeros on the last axis.
        var cf = new ZeroPadding1D([0, 2], dataFormat: "channels_first");
        AssertClose(cf.Apply(x), [1, 2, 4], [1, 2, 0, 0, 3, 4, 0, 0]);
        var copy = AssertRoundTrip(new ZeroPadding1D((2, 1)), x);
        Assert.That(((ZeroPadding1D)copy).Padding, Is.EqualTo((2, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding1D(-1));
        Assert.Throws<ArgumentException>(() => new ZeroPadding1D([1, 2, 3]));
        Assert.Throws<ArgumentException>(() => new ZeroPadding1D(1, dataFormat: "nhwc"));
    }

    [Test]
    public void ZeroPadding2DOverloadsAndValues()
    {
        // [[1, 2], [3, 4]] as (1, 2, 2, 1), padded ((top 1, bottom 2), (left 3, right 0)) → (1, 5, 5, 1).
        var x = T([1, 2, 3, 4], 1, 2, 2, 1);
        var layer = new ZeroPadding2D(((1, 2), (3, 0)));
        Assert.That(layer.ComputeOutputShape([null, 2, 2, 1]), Is.EqualTo(new int?[] { null, 5, 5, 1 }));
        var y = layer.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 5, 5, 1 }));
        Assert.That(y[0, 1, 3, 0].item<float>(), Is.EqualTo(1f));
        Assert.That(y[0, 1, 4, 0].item<float>(), Is.EqualTo(2f));
        Assert.That(y[0, 2, 3, 0].item<float>(), Is.EqualTo(3f));
        Assert.That(y[0, 2, 4, 0].item<float>(), Is.EqualTo(4f));
        Assert.That(y.sum().item<float>(), Is.EqualTo(10f), "everything else is zero");

        Assert.That(new ZeroPadding2D().ComputeOutputShape([null, 28, 28, 3]), Is.EqualTo(new int?[] { null, 30, 30, 3 }));
        Assert.That(SymbolicShape(new ZeroPadding2D(3), 224, 224, 3), Is.EqualTo(new int?[] { null, 230, 230, 3 }));
        Assert.That(new ZeroPadding2D((1, 2)).ComputeOutputShape([null, 4, 4, 1]), Is.EqualTo(new int?[] { null, 6, 8, 1 }));
        Assert.That(new ZeroPadding2D([[1], [2, 3]]).ComputeOutputShape([null, 4, 4, 1]), Is.EqualTo(new int?[] { null, 6, 9, 1 }));
        Assert.That(new ZeroPadding2D(1).ComputeOutputShape([null, null, 4, 1]), Is.EqualTo(new int?[] { null, null, 6, 1 }));
        var cf = new ZeroPadding2D(((0, 1), (1, 0)), dataFormat: "channels_first");
        AssertClose(cf.Apply(T([1, 2, 3, 4], 1, 1, 2, 2)), [1, 1, 3, 3], [0, 1, 2, 0, 3, 4, 0, 0, 0]);

        var cfg = layer.GetConfig();
        Assert.That(cfg["padding"], Is.EqualTo(new[] { new[] { 1, 2 }, new[] { 3, 0 } }));
        Assert.That(cfg["data_format"], Is.EqualTo("channels_last"));
        AssertRoundTrip(layer, x);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding2D(((0, -1), (0, 0))));
        Assert.Throws<ArgumentException>(() => new ZeroPadding2D([[1, 2], [3, 4], [5, 6]]));
        var ex = Assert.Throws<ArgumentException>(() => new ZeroPadding2D(name: "zp").Apply(Arange(1, 3, 3)))!;
        Assert.That(ex.Message, Does.Contain("zp").And.Contain("rank 4"));
    }

    // ------------------------------------------------------------------ UpSampling

    [Test]
    public void UpSampling1DRepeatsSteps()
    {
        var x = T([1, 2, 3, 4], 1, 2, 2);
        var layer = new UpSampling1D();   // Keras's default size 2
        Assert.That(SymbolicShape(layer, 5, 3), Is.EqualTo(new int?[] { null, 10, 3 }));
        AssertClose(new UpSampling1D(3).Apply(x), [1, 6, 2], [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
        AssertRoundTrip(new UpSampling1D(3), x);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling1D(0));
    }

    [Test]
    public void UpSampling2DNearestRepeatsRowsAndColumns()
    {
        var x = T([1, 2, 3, 4], 1, 2, 2, 1);
        Assert.That(new UpSampling2D().ComputeOutputShape([null, 7, 5, 3]), Is.EqualTo(new int?[] { null, 14, 10, 3 }));
        var layer = new UpSampling2D((2, 3));
        Assert.That(SymbolicShape(layer, 2, 2, 1), Is.EqualTo(new int?[] { null, 4, 6, 1 }));
        AssertClose(layer.Apply(x), [1, 4, 6, 1],
        [
            1, 1, 1, 2, 2, 2,
            1, 1, 1, 2, 2, 2,
            3, 3, 3, 4, 4, 4,
            3, 3, 3, 4, 4, 4,
        ]);
        var cf = new UpSampling2D(2, dataFormat: "channels_first");
        Assert.That(cf.ComputeOutputShape([null, 3, 7, 5]), Is.EqualTo(new int?[] { null, 3, 14, 10 }));
        AssertClose(cf.Apply(T([1, 2], 1, 2, 1, 1)), [1, 2, 2, 2], [1, 1, 1, 1, 2, 2, 2, 2]);
        AssertRoundTrip(new UpSampling2D((2, 3)), x);
    }

    [Test]
    public void UpSampling2DBilinearUsesHalfPixelCenters()
    {
        // Image [[0, 1], [2, 3]], factor 2. Output pixel i samples source coordinate (i + 0.5) / 2 - 0.5, clamped to
        // [0, 1]: -0.25→0, 0.25, 0.75, 1.25→1. Along a row [p, q]: [p, 0.75p + 0.25q, 0.25p + 0.75q, q].
        // Top row [0, 1] → [0, .25, .75, 1]; bottom row [2, 3] → [2, 2.25, 2.75, 3]; rows mix with the same weights:
        // row r = top + w_r * (bottom - top) = top + 2 w_r with w = [0, .25, .75, 1].
        var x = T([0, 1, 2, 3], 1, 2, 2, 1);
        var layer = new UpSampling2D(2, interpolation: "bilinear");
        AssertClose(layer.Apply(x), [1, 4, 4, 1],
        [
            0.0, 0.25, 0.75, 1.0,
            0.5, 0.75, 1.25, 1.5,
            1.5, 1.75, 2.25, 2.5,
            2.0, 2.25, 2.75, 3.0,
        ]);
        Assert.That(layer.GetConfig()["interpolation"], Is.EqualTo("bilinear"));
        AssertRoundTrip(layer, x);
        var e = Assert.Throws<ArgumentException>(() => new UpSampling2D(2, interpolation: "lanczos9"))!;
        Assert.That(e.Message, Does.Contain("nearest").And.Contain("bilinear").And.Contain("lanczos9"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling2D((0, 2)));
    }

    // ------------------------------------------------------------------ Cropping

    [Test]
    public void Cropping1DCutsStepsAtBothEnds()
    {
        var x = Arange(1, 5, 1);   // steps 0..4
        var d = new Cropping1D();   // Keras's default (1, 1)
        Assert.That(d.ComputeOutputShape([null, 5, 1]), Is.EqualTo(new int?[] { null, 3, 1 }));
        AssertClose(d.Apply(x), [1, 3, 1], [1, 2, 3]);
        var asym = new Cropping1D((2, 0));
        Assert.That(SymbolicShape(asym, 5, 4), Is.EqualTo(new int?[] { null, 3, 4 }));
        AssertClose(asym.Apply(x), [1, 3, 1], [2, 3, 4]);
        AssertRoundTrip(new Cropping1D((0, 2)), x);
        var ex = Assert.Throws<ArgumentException>(() => new Cropping1D((2, 3), name: "crop").Apply(x))!;
        Assert.That(ex.Message, Does.Contain("crop").And.Contain("(2, 3)").And.Contain("(None, 5, 1)"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Cropping1D(-1));
    }

    [Test]
    public void Cropping2DCutsRowsAndColumns()
    {
        // 3x4 image 0..11; crop ((top 1, bottom 0), (left 0, right 2)) keeps rows 1-2, cols 0-1: [[4, 5], [8, 9]].
        var x = Arange(1, 3, 4, 1);
        var layer = new Cropping2D(((1, 0), (0, 2)));
        Assert.That(layer.ComputeOutputShape([null, 3, 4, 1]), Is.EqualTo(new int?[] { null, 2, 2, 1 }));
        AssertClose(layer.Apply(x), [1, 2, 2, 1], [4, 5, 8, 9]);
        Assert.That(new Cropping2D().ComputeOutputShape([null, 3, 4, 1]), Is.EqualTo(new int?[] { null, 3, 4, 1 }), "Keras's default crops nothing");
        Assert.That(SymbolicShape(new Cropping2D((1, 1)), 28, 28, 3), Is.EqualTo(new int?[] { null, 26, 26, 3 }));
        var cf = new Cropping2D([[0, 1], [1, 1]], dataFormat: "channels_first");
        AssertClose(cf.Apply(Arange(1, 1, 3, 4)), [1, 1, 2, 2], [1, 2, 5, 6]);
        Assert.That(layer.GetConfig()["cropping"], Is.EqualTo(new[] { new[] { 1, 0 }, new[] { 0, 2 } }));
        AssertRoundTrip(layer, x);
        var ex = Assert.Throws<ArgumentException>(() => new Cropping2D(2, name: "c2").Apply(Keras.Input([4, 8, 1])))!;
        Assert.That(ex.Message, Does.Contain("c2").And.Contain("(None, 4, 8, 1)"));
    }
}
