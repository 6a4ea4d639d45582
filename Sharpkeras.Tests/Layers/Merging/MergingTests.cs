using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class MergingTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    private static Tensor Bools(bool[] values, params long[] shape) => torch.tensor(values).reshape(shape);

    [Test]
    public void ElementwiseMergesComputeTheirOperation()
    {
        var a = T([1, -2, 3, 4, 5, -6], 2, 3);
        var b = T([10, 20, -30, 0, 1, 2], 2, 3);
        var c = T([2, 2, 2, -1, -1, -1], 2, 3);
        AssertClose(new Add().Apply([a, b, c]), [2, 3], [13, 20, -25, 3, 5, -5]);
        AssertClose(new Subtract().Apply([a, b]), [2, 3], [-9, -22, 33, 4, 4, -8]);
        AssertClose(new Multiply().Apply([a, b, c]), [2, 3], [20, -80, -180, 0, -5, 12]);
        // (a + b + c) / 3.
        AssertClose(new Average().Apply([a, b, c]), [2, 3], [13 / 3.0, 20 / 3.0, -25 / 3.0, 1, 5 / 3.0, -5 / 3.0]);
        AssertClose(new Maximum().Apply([a, b, c]), [2, 3], [10, 20, 3, 4, 5, 2]);
        AssertClose(new Minimum().Apply([a, b, c]), [2, 3], [1, -2, -30, -1, -1, -6]);
    }

    [Test]
    public void ElementwiseMergeShapesFollowKeras()
    {
        foreach (var layer in new Layer[] { new Add(), new Subtract(), new Multiply(), new Average(), new Maximum(), new Minimum() })
        {
            var shapes = layer.ComputeOutputShapes([[null, 4, 5], [null, 4, 5]], [ScalarType.Float32, ScalarType.Float32]);
            Assert.That(shapes[0].shape, Is.EqualTo(new int?[] { null, 4, 5 }), layer.GetType().Name);
            var y = layer.Apply(Keras.Input([4, 5]), Keras.Input([4, 5]));
            Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 4, 5 }), layer.GetType().Name);
        }
        // Keras's rule: a 1 broadcasts, an unknown size gives unknown, a lower-rank input is aligned on the right.
        var add = new Add();
        Assert.That(add.ComputeOutputShapes([[null, 1, 5], [null, 3, 5]], [ScalarType.Float32, ScalarType.Float32])[0].shape,
            Is.EqualTo(new int?[] { null, 3, 5 }));
        Assert.That(add.ComputeOutputShapes([[null, null, 5], [null, 3, 5]], [ScalarType.Float32, ScalarType.Float32])[0].shape,
            Is.EqualTo(new int?[] { null, null, 5 }));
        Assert.That(add.ComputeOutputShapes([[4, 5], [null, 3, 5]], [ScalarType.Float32, ScalarType.Float32])[0].shape,
            Is.EqualTo(new int?[] { 4, 3, 5 }));
        // (2, 5) + (2, 3, 5): the first becomes (2, 1, 5) and broadcasts over the 3 rows.
        var y2 = new Add().Apply([T([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, 5), torch.ones(2, 3, 5)]);
        Assert.That(y2.shape, Is.EqualTo(new long[] { 2, 3, 5 }));
        Assert.That(y2[1, 2, 4].item<float>(), Is.EqualTo(11f));
        Assert.That(y2[0, 1, 0].item<float>(), Is.EqualTo(2f));
    }

    [Test]
    public void MismatchedShapesThrowNamingLayerAndShapes()
    {
        var add = new Add(name: "my_add");
        var ex = Assert.Throws<ArgumentException>(() => add.Apply(Keras.Input([3]), Keras.Input([4])))!;
        Assert.That(ex.Message, Does.Contain("my_add").And.Contain("(None, 3)").And.Contain("(None, 4)"));
        Assert.That(add.Built, Is.False);
        // Eagerly, and after building: a later call with other shapes is checked too.
        var sub = new Subtract(name: "my_sub");
        sub.Apply([torch.ones(2, 3), torch.ones(2, 3)]);
        var ex2 = Assert.Throws<ArgumentException>(() => sub.Apply([torch.ones(2, 3), torch.ones(2, 5)]))!;
        Assert.That(ex2.Message, Does.Contain("my_sub").And.Contain("(2, 3)").And.Contain("(2, 5)"));
        // Different batch sizes.
        var ex3 = Assert.Throws<ArgumentException>(() => new Maximum(name: "mx").Apply([torch.ones(2, 3), torch.ones(4, 3)]))!;
        Assert.That(ex3.Message, Does.Contain("mx").And.Contain("batch"));
        // Subtract takes exactly two inputs.
        var ex4 = Assert.Throws<ArgumentException>(() => new Subtract(name: "s3").Apply(Keras.Input([3]), Keras.Input([3]), Keras.Input([3])))!;
        Assert.That(ex4.Message, Does.Contain("s3").And.Contain("exactly 2").And.Contain("got 3"));
    }

    [Test]
    public void ElementwiseMasksAreCombinedWithOr()
    {
        // Keras 3's Merge.compute_mask: the OR of the masks when every input has one, else no mask.
        var a = torch.ones(1, 3, 2);
        var b = torch.ones(1, 3, 2);
        Layer.SetMask(a, Bools([true, false, false], 1, 3));
        Layer.SetMask(b, Bools([false, true, false], 1, 3));
        var y = new Add().Apply([a, b]);
        Assert.That(Layer.GetMask(y), Is.Not.Null);
        Assert.That(Layer.GetMask(y)!.data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false }));
        var c = torch.ones(1, 3, 2);
        Assert.That(Layer.GetMask(new Add().Apply([a, c])), Is.Null, "an input without a mask gives no output mask");
        Assert.That(Layer.GetMask(new Dot(axes: 2).Apply([a, b])), Is.Null, "Dot drops masks");
    }

    [Test]
    public void MultiplyAndMaximumIgnoreMaskedValues()
    {
        // Multiply: masked values count as 1; where every input is masked the output is 0.
        var x1 = T([2, 3], 1, 2, 1);
        var x2 = T([5, 7], 1, 2, 1);
        Layer.SetMask(x1, Bools([true, false], 1, 2));
        Layer.SetMask(x2, Bools([true, true], 1, 2));
        AssertClose(new Multiply().Apply([x1, x2]), [1, 2, 1], [2 * 5, 1 * 7]);
        var x3 = T([5, 7], 1, 2, 1);
        Layer.SetMask(x3, Bools([true, false], 1, 2));
        AssertClose(new Multiply().Apply([x1, x3]), [1, 2, 1], [10, 0]);
        // Maximum: step 1 of m1 is masked, so m2's value 2 is taken even though 9 is larger.
        var m1 = T([1, 9], 1, 2, 1);
        var m2 = T([5, 2], 1, 2, 1);
        Layer.SetMask(m1, Bools([true, false], 1, 2));
        Layer.SetMask(m2, Bools([true, true], 1, 2));
        AssertClose(new Maximum().Apply([m1, m2]), [1, 2, 1], [5, 2]);
        AssertClose(new Minimum().Apply([m1, m2]), [1, 2, 1], [1, 2]);
    }

    [Test]
    public void ConcatenateJoinsAlongTheAxis()
    {
        var layer = new Concatenate();   // axis -1
        Assert.That(layer.Apply(Keras.Input([2, 3]), Keras.Input([2, 5])).Shape, Is.EqualTo(new int?[] { null, 2, 8 }));
        Assert.That(new Concatenate(axis: 1).Apply(Keras.Input([2, 3]), Keras.Input([4, 3])).Shape, Is.EqualTo(new int?[] { null, 6, 3 }));
        Assert.That(new Concatenate(axis: 1).ComputeOutputShapes([[null, null, 3], [null, 4, 3]], [ScalarType.Float32, ScalarType.Float32])[0].shape,
            Is.EqualTo(new int?[] { null, null, 3 }));
        var a = T([1, 2, 3, 4], 2, 2);
        var b = T([5, 6], 2, 1);
        AssertClose(new Concatenate().Apply([a, b]), [2, 3], [1, 2, 5, 3, 4, 6]);
        AssertClose(new Concatenate(axis: 0).Apply([a, T([7, 8], 1, 2)]), [3, 2], [1, 2, 3, 4, 7, 8]);
        var original = new Concatenate(axis: 0);
        var copy = (Concatenate)Rebuild(original);
        Assert.That(copy.Axis, Is.EqualTo(0));
        Assert.That(Values(copy.Apply([a, T([7, 8], 1, 2)])), Is.EqualTo(Values(original.Apply([a, T([7, 8], 1, 2)]))));
    }

    [Test]
    public void ConcatenateRejectsMismatchedShapes()
    {
        var layer = new Concatenate(name: "cat");
        var ex = Assert.Throws<ArgumentException>(() => layer.Apply(Keras.Input([2, 3]), Keras.Input([3, 5])))!;
        Assert.That(ex.Message, Does.Contain("cat").And.Contain("(None, 2, 3)").And.Contain("(None, 3, 5)"));
        var ex2 = Assert.Throws<ArgumentException>(() => new Concatenate(name: "cat2").Apply([torch.ones(2, 3), torch.ones(2, 3, 1)]))!;
        Assert.That(ex2.Message, Does.Contain("cat2").And.Contain("rank"));
        var ex3 = Assert.Throws<ArgumentException>(() => new Concatenate(axis: 3).Apply(Keras.Input([2]), Keras.Input([2])))!;
        Assert.That(ex3.Message, Does.Contain("axis 3"));
    }

    [Test]
    public void ConcatenateMasksLikeKeras()
    {
        // Along the steps axis: masks are concatenated (an input without one counts as all true).
        var a = torch.ones(1, 2, 3);
        var b = torch.ones(1, 3, 3);
        Layer.SetMask(a, Bools([true, false], 1, 2));
        var y = new Concatenate(axis: 1).Apply([a, b]);
        Assert.That(y.shape, Is.EqualTo(new long[] { 1, 5, 3 }));
        Assert.That(Layer.GetMask(y)!.data<bool>().ToArray(), Is.EqualTo(new[] { true, false, true, true, true }));
        // Along the features axis: the step masks are ORed.
        var c = torch.ones(1, 2, 4);
        Layer.SetMask(c, Bools([false, false], 1, 2));
        var z = new Concatenate().Apply([a, c]);
        Assert.That(Layer.GetMask(z)!.data<bool>().ToArray(), Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void DotComputesBatchDotProducts()
    {
        // Two (2, 3) inputs, axes 1: row-wise dot products, shape (2, 1).
        var a = T([1, 2, 3, 4, 5, 6], 2, 3);
        var b = T([1, 0, -1, 2, 2, 2], 2, 3);
        var dot = new Dot(axes: 1);
        Assert.That(dot.Apply(Keras.Input([3]), Keras.Input([3])).Shape, Is.EqualTo(new int?[] { null, 1 }));
        AssertClose(new Dot(axes: 1).Apply([a, b]), [2, 1], [1 - 3, 2 * (4 + 5 + 6)]);
        // normalize: cosine similarity. |a0| = √14, |b0| = √2 → -2 / √28; |a1| = √77, |b1| = √12 → 30 / √924.
        AssertClose(new Dot(axes: -1, normalize: true).Apply([a, b]), [2, 1], [-2 / Math.Sqrt(28), 30 / Math.Sqrt(924)]);
        // axes (1, 2): out[i, j] = Σ_k x[k, i] · y[j, k] with x = [[1, 2], [3, 4]], y = [[5, 6], [7, 8]]:
        // out[0,0] = 1·5 + 3·6 = 23, out[0,1] = 1·7 + 3·8 = 31, out[1,0] = 2·5 + 4·6 = 34, out[1,1] = 2·7 + 4·8 = 46.
        var pair = new Dot(axes: (1, 2));
        AssertClose(pair.Apply([T([1, 2, 3, 4], 1, 2, 2), T([5, 6, 7, 8], 1, 2, 2)]), [1, 2, 2], [23, 31, 34, 46]);
        // Keras's documented shape: (None, 3, 5) · (None, 10, 3) with axes (1, 2) → (None, 5, 10).
        Assert.That(new Dot(axes: (1, 2)).Apply(Keras.Input([3, 5]), Keras.Input([10, 3])).Shape, Is.EqualTo(new int?[] { null, 5, 10 }));
        Assert.That(new Dot(axes: (1, 2)).Apply([torch.ones(2, 3, 5), torch.ones(2, 10, 3)]).shape, Is.EqualTo(new long[] { 2, 5, 10 }));
        // (None, 4) · (None, 4, 6) along axis 1 → (None, 6).
        var mixed = new Dot(axes: 1);
        Assert.That(mixed.Apply(Keras.Input([4]), Keras.Input([4, 6])).Shape, Is.EqualTo(new int?[] { null, 6 }));
        AssertClose(new Dot(axes: 1).Apply([T([1, 1], 1, 2), T([1, 2, 3, 4], 1, 2, 2)]), [1, 2], [1 + 3, 2 + 4]);

        Assert.That(pair.GetConfig()["axes"], Is.EqualTo(new[] { 1, 2 }));
        Assert.That(new Dot(axes: 1).GetConfig()["axes"], Is.EqualTo(1));
        var original = new Dot(axes: (1, 2), normalize: true);
        var copy = (Dot)Rebuild(original);
        Assert.That(copy.Axes, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(copy.Normalize, Is.True);
        var p = T([1, 2, 3, 4], 1, 2, 2);
        var q = T([5, 6, 7, 8], 1, 2, 2);
        Assert.That(Values(copy.Apply([p, q])), Is.EqualTo(Values(original.Apply([p, q]))).Within(1e-6));
        Assert.That(((Dot)Rebuild(new Dot(axes: -1))).GetConfig()["axes"], Is.EqualTo(-1));
    }

    [Test]
    public void DotRejectsBadAxesAndShapes()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new Dot(axes: 0))!.ParamName, Is.EqualTo("axes"));
        Assert.Throws<ArgumentException>(() => new Dot(axes: new[] { 1, 2, 3 }));
        var ex = Assert.Throws<ArgumentException>(() => new Dot(axes: 1, name: "dt").Apply(Keras.Input([3]), Keras.Input([4])))!;
        Assert.That(ex.Message, Does.Contain("dt").And.Contain("(None, 3)").And.Contain("(None, 4)"));
        var ex2 = Assert.Throws<ArgumentException>(() => new Dot(axes: 1, name: "dt3").Apply(Keras.Input([3]), Keras.Input([3]), Keras.Input([3])))!;
        Assert.That(ex2.Message, Does.Contain("exactly 2"));
        Assert.Throws<ArgumentException>(() => new Dot(axes: 3).Apply(Keras.Input([3]), Keras.Input([3])));
    }

    [Test]
    public void MergeConfigsRoundTrip()
    {
        var x = T([1, 2, 3, 4], 2, 2);
        foreach (var layer in new Layer[] { new Add(), new Subtract(), new Multiply(), new Average(), new Maximum(), new Minimum() })
        {
            var copy = Rebuild(layer);
            Assert.That(copy.GetType(), Is.EqualTo(layer.GetType()));
            Assert.That(Values(copy.Apply([x, x * 2])), Is.EqualTo(Values(layer.Apply([x, x * 2]))), layer.GetType().Name);
        }
    }
}
