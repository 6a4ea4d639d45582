using NUnit.Framework;
using Sharpkeras.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class ToCategoricalTests
{
    [Test]
    public void OneHotWithInferredClassCount()
    {
        // Keras: to_categorical([0, 2, 1]) -> 3 classes (max + 1): [[1,0,0],[0,0,1],[0,1,0]] float32.
        var t = Utils.ToCategorical(torch.tensor(new long[] { 0, 2, 1 }));
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.shape, Is.EqualTo(new long[] { 3, 3 }));
        Assert.That(t.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 0, 0, 0, 0, 1, 0, 1, 0 }));
    }

    [Test]
    public void ExplicitClassCountAndShapes()
    {
        var t = Utils.ToCategorical(torch.tensor(new byte[] { 3, 0 }), numClasses: 5);
        Assert.That(t.shape, Is.EqualTo(new long[] { 2, 5 }));
        Assert.That(t.data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 }));
        // (N, 1) labels drop their trailing axis: (2, 1) -> (2, 4).
        Assert.That(Utils.ToCategorical(torch.tensor(new long[] { 1, 2 }).reshape(2, 1), 4).shape, Is.EqualTo(new long[] { 2, 4 }));
        // (2, 2) labels -> (2, 2, 3).
        var grid = Utils.ToCategorical(torch.tensor(new long[] { 0, 1, 2, 0 }).reshape(2, 2), 3);
        Assert.That(grid.shape, Is.EqualTo(new long[] { 2, 2, 3 }));
        Assert.That(grid[1, 0].data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 1 }));
        // Whole-number floats are accepted.
        Assert.That(Utils.ToCategorical(torch.tensor(new float[] { 1, 0 })).data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 1, 0 }));
    }

    [Test]
    public void BadLabelsThrow()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => Utils.ToCategorical(torch.tensor(new long[] { 0, 5 }), numClasses: 3))!.Message, Does.Contain("5"));
        Assert.Throws<ArgumentException>(() => Utils.ToCategorical(torch.tensor(new long[] { -1, 0 })));
        Assert.Throws<ArgumentException>(() => Utils.ToCategorical(torch.tensor(new float[] { 0.5f })));
        Assert.Throws<ArgumentOutOfRangeException>(() => Utils.ToCategorical(torch.tensor(new long[] { 0 }), numClasses: 0));
        Assert.Throws<ArgumentException>(() => Utils.ToCategorical(torch.zeros(0, dtype: ScalarType.Int64)));
    }
}
