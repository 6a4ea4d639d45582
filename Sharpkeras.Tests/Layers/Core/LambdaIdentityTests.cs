using NUnit.Framework;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersMisc;

public class LambdaIdentityTests
{
    [SetUp]
    public void SetUp() => Keras.ClearSession();

    [Test]
    public void LambdaAppliesItsFunction()
    {
        var square = new Lambda(x => x * x);
        AssertClose(square.Apply(T([-2, 3], 1, 2)), [1, 2], [4, 9]);
        Assert.That(SymbolicShape(new Lambda(x => x * x), 5), Is.EqualTo(new int?[] { null, 5 }));
        var diff = Lambda.OnInputs(xs => xs[0] - xs[1]);
        AssertClose(diff.Apply([T([5, 7], 1, 2), T([1, 2], 1, 2)]), [1, 2], [4, 5]);
        Assert.That(Lambda.OnInputs(xs => xs[0] - xs[1]).Apply(Keras.Input([3]), Keras.Input([3])).Shape, Is.EqualTo(new int?[] { null, 3 }));
    }

    [Test]
    public void LambdaOutputShapeIsInferredOrGiven()
    {
        // Inferred by running (like Keras): summing axis 1 of (None, None, 4) gives (None, 4).
        var sum = new Lambda(x => x.sum(1));
        Assert.That(sum.Apply(Keras.Input(new int?[] { null, 4 })).Shape, Is.EqualTo(new int?[] { null, 4 }));
        // A size that depends on the unknown axis stays unknown.
        var flat = new Lambda(x => x.reshape(x.shape[0], -1));
        Assert.That(flat.Apply(Keras.Input(new int?[] { null, 4 })).Shape, Is.EqualTo(new int?[] { null, null }));
        // Given explicitly (batch excluded) or as a function of the input shape.
        var given = new Lambda(x => x.reshape(x.shape[0], -1), outputShape: [8]);
        Assert.That(given.Apply(Keras.Input([2, 4])).Shape, Is.EqualTo(new int?[] { null, 8 }));
        var fn = new Lambda(x => torch.cat([x, x], 1), outputShape: s => [s[0], s[1] * 2]);
        Assert.That(fn.Apply(Keras.Input([3])).Shape, Is.EqualTo(new int?[] { null, 6 }));
        AssertClose(fn.Apply(T([1, 2], 1, 2)), [1, 4], [1, 2, 1, 2]);
        // A function that fails while the shape is inferred is reported with the layer's name. (Only managed
        // failures can be reported: a libtorch error inside a user's function is outside the layer's control.)
        var bad = new Lambda(x => throw new NotSupportedException("no"), name: "bad_lambda");
        var ex = Assert.Throws<InvalidOperationException>(() => bad.Apply(Keras.Input([3])))!;
        Assert.That(ex.Message, Does.Contain("bad_lambda").And.Contain("outputShape"));
    }

    [Test]
    public void LambdaPassesGradientsAndIntegers()
    {
        var dense = new Dense(2, kernelInitializer: "ones");
        var twice = new Lambda(x => x * 2);
        var x = T([1, 2, 3], 1, 3);
        twice.Apply(dense.Apply(x), training: true).sum().backward();
        // d Σ 2·(x·W) / dW[i, j] = 2 · x[i].
        AssertClose(dense.Kernel.Value.grad!, [3, 2], [2, 2, 4, 4, 6, 6]);
        var ids = new Lambda(t => t + 1).Apply(torch.tensor(new long[] { 1, 2 }).reshape(1, 2));
        Assert.That(ids.dtype, Is.EqualTo(ScalarType.Int64), "integer inputs are passed as they are");
    }

    [Test]
    public void LambdaMasksAndConfig()
    {
        var x = T([1, 2], 1, 2);
        Layer.SetMask(x, torch.tensor(new[] { true, false }).reshape(1, 2));
        Assert.That(Layer.GetMask(new Lambda(t => t + 1).Apply(x)), Is.Null, "no mask function: no output mask (Keras)");
        var keep = new Lambda(t => t + 1, mask: (t, m) => m);
        Assert.That(Layer.GetMask(keep.Apply(x))!.data<bool>().ToArray(), Is.EqualTo(new[] { true, false }));
        // The config describes the function by name only: a Lambda cannot be rebuilt from it.
        var cfg = new Lambda(Square, outputShape: [3]).GetConfig();
        Assert.That(cfg["function"], Does.Contain(nameof(Square)));
        Assert.That(cfg["output_shape"], Is.EqualTo(new int?[] { 3 }));
        Assert.Throws<ArgumentNullException>(() => new Lambda((Func<Tensor, Tensor>)null!));
        Assert.Throws<ArgumentException>(() => new Lambda(Square, outputShape: [-2]));
        var ex = Assert.Throws<ArgumentException>(() => new Lambda(Square, name: "one").Apply(Keras.Input([2]), Keras.Input([2])))!;
        Assert.That(ex.Message, Does.Contain("one"));
    }

    private static Tensor Square(Tensor t) => t * t;

    [Test]
    public void IdentityReturnsItsInput()
    {
        var x = T([1, 2, 3], 1, 3);
        Layer.SetMask(x, torch.tensor(new[] { true, true, false }).reshape(1, 3));
        var layer = new Identity();
        var y = layer.Apply(x);
        Assert.That(Kit.Same(y, x), Is.True);
        Assert.That(Layer.GetMask(y), Is.Not.Null, "masks pass through");
        Assert.That(SymbolicShape(new Identity(), 4, 5), Is.EqualTo(new int?[] { null, 4, 5 }));
        Assert.That(layer.ComputeOutputShape([null, 7]), Is.EqualTo(new int?[] { null, 7 }));
        Assert.That(new Identity().Apply(torch.tensor(new long[] { 4 }).reshape(1, 1)).dtype, Is.EqualTo(ScalarType.Int64));
        AssertRoundTrip(new Identity(), T([1, 2], 1, 2));
    }
}
