using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.LayersMisc.MiscTestUtils;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>Discretization.Adapt against Keras's quantile-summary algorithm, worked through by hand.</summary>
public class DiscretizationTests
{
    private static long[] L(Tensor t)
    {
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Int64));
        return t.cpu().flatten().data<long>().ToArray();
    }

    private static readonly Tensor DocInput = torch.tensor(new double[,] { { -1.5, 1.0, 3.4, .5 }, { 0.0, 3.0, 1.3, 0.0 } });

    [Test]
    public void AdaptMatchesKerasDocstring()
    {
        // 8 values < 1/ε, so the summary is the sorted values with weight 1: −1.5, 0, 0, .5, 1, 1.3, 3, 3.4.
        // Compressed to 4 points at cumulative fractions .25, .5, .75, 1 (exact sample points 2/8, 4/8, 6/8, 8/8):
        // 0, .5, 1.3, 3.4 → boundaries [0, .5, 1.3]; Keras's docs give [[0, 2, 3, 2], [1, 3, 3, 1]].
        var layer = new Discretization(numBins: 4, epsilon: 0.01);
        layer.Adapt(DocInput);
        Assert.That(layer.BinBoundaries, Is.EqualTo(new[] { 0.0, 0.5, (double)1.3f }));
        Assert.That(L(layer.Apply(DocInput)), Is.EqualTo(new long[] { 0, 2, 3, 2, 1, 3, 3, 1 }));
    }

    [Test]
    public void AdaptMergesBatches()
    {
        // Batches (1, 2, 3) and (4, 5, 6) merge to six weight-1 points; compressed to 3 points at fractions 1/3, 2/3, 1 → about 2, 4, 6.
        var layer = new Discretization(numBins: 3);
        layer.Adapt([torch.tensor(new float[] { 1, 2, 3 }), torch.tensor(new float[] { 4, 5, 6 })]);
        Assert.That(layer.BinBoundaries!.Length, Is.EqualTo(2));
        Assert.That(layer.BinBoundaries, Is.EqualTo(new[] { 2.0, 4.0 }).Within(1e-5));
    }

    [Test]
    public void AdaptSamplesLargeBatches()
    {
        // 200 values 0..199 with ε = 0.1: the summary keeps every 20th value from index 19 (19, 39, …, 199), each weighing 20.
        // Half the weight is reached at the 5th point, 99, so 2 bins split at 99 (not at the true median 99.5); the float32
        // cumulative weights of the intermediate compression leave it within float rounding of 99.
        var layer = new Discretization(numBins: 2, epsilon: 0.1);
        layer.Adapt(torch.arange(200, dtype: ScalarType.Float32));
        Assert.That(layer.BinBoundaries, Is.EqualTo(new[] { 99.0 }).Within(1e-3));
        Assert.That(L(layer.Apply(torch.tensor(new float[] { 98.5f, 99.5f, 150f }))), Is.EqualTo(new long[] { 0, 1, 1 }));
    }

    [Test]
    public void SummaryHelpersFollowNumpy()
    {
        // np.interp: clamped outside, exact at sample points, linear in between.
        double[] xp = [0.25, 0.5, 1.0], fp = [10, 20, 40];
        Assert.That(Discretization.Interp(0.1, xp, fp), Is.EqualTo(10));
        Assert.That(Discretization.Interp(0.5, xp, fp), Is.EqualTo(20));
        Assert.That(Discretization.Interp(0.75, xp, fp), Is.EqualTo(30));
        Assert.That(Discretization.Interp(2, xp, fp), Is.EqualTo(40));
        // summarize with 10 values and ε = 0.5: step 5, values[4::5] = 4, 9, weight 5 each.
        var (v, w) = Discretization.Summarize(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 0.5);
        Assert.That(v, Is.EqualTo(new float[] { 4, 9 }));
        Assert.That(w, Is.EqualTo(new float[] { 5, 5 }));
    }

    [Test]
    public void OutputModesConfigAndErrors()
    {
        var layer = new Discretization(numBins: 4, outputMode: "count");
        // Before adapting the depth is numBins.
        Assert.That(layer.ComputeOutputShape([null, 3]), Is.EqualTo(new int?[] { null, 4 }));
        Assert.Throws<InvalidOperationException>(() => layer.Apply(torch.ones(1, 2)));
        layer.Adapt(DocInput);
        var counts = layer.Apply(torch.tensor(new float[,] { { -1f, 0.7f, 0.8f, 5f } }));
        Assert.That(counts.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 0, 2, 1 }));
        // The adapted config holds both numBins and the boundaries, and rebuilds the same layer.
        var back = (Discretization)AssertRoundTrip(layer, torch.tensor(new float[,] { { -1f, 0.7f, 0.8f, 5f } }));
        Assert.That(back.BinBoundaries, Is.EqualTo(layer.BinBoundaries));
        Assert.That(back.NumBins, Is.EqualTo(4));
        Assert.Throws<InvalidOperationException>(() => new Discretization([0.0, 1.0]).Adapt(DocInput));
        Assert.That(Assert.Throws<ArgumentException>(() => new Discretization())!.ParamName, Is.EqualTo("binBoundaries"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Discretization(numBins: -1))!.ParamName, Is.EqualTo("numBins"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Discretization(numBins: 2, epsilon: 0))!.ParamName, Is.EqualTo("epsilon"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Discretization([1.0, 2.0, 3.0], numBins: 2))!.ParamName, Is.EqualTo("binBoundaries"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Discretization(numBins: 2, outputMode: "one_hot", sparse: true))!.ParamName, Is.EqualTo("sparse"));
    }
}
