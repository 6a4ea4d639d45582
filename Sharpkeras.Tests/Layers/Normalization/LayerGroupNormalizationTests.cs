using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class LayerGroupNormalizationTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(5);
    }

    private static float N(double x, double mean, double var, double gamma = 1, double beta = 0, double eps = 1e-3) =>
        (float)(gamma * (x - mean) / Math.Sqrt(var + eps) + beta);

    [Test]
    public void LayerNormalizationOverTheLastAxis()
    {
        // Row 0 [1, 2, 3, 4]: mean 2.5, biased var 1.25. Row 1 [2, 2, 2, 6]: mean 3, var (1+1+1+9)/4 = 3.
        var ln = new LayerNormalization();
        var x = T([1, 2, 3, 4, 2, 2, 2, 6], 2, 4);
        ln.Apply(x);
        ln.SetWeights([T([1, 2, 3, 4], 4), T([0, 0, 0, 1], 4)]);
        float[] g = [1, 2, 3, 4], b = [0, 0, 0, 1];
        var expected = new float[8];
        for (int i = 0; i < 4; i++)
        {
            expected[i] = N(i + 1, 2.5, 1.25, g[i], b[i]);
            expected[4 + i] = N(new[] { 2, 2, 2, 6 }[i], 3, 3, g[i], b[i]);
        }
        AssertClose(ln.Apply(x), expected, [2, 4]);
        AssertClose(ln.Apply(x, training: true), expected, [2, 4]);   // no training/inference difference
        // Params: LayerNormalization on (None, 10, 16): gamma 16 + beta 16 = 32.
        var p = new LayerNormalization();
        p.Apply(torch.zeros(1, 10, 16));
        Assert.That(p.CountParams(), Is.EqualTo(32));
        Assert.That(p.ComputeOutputShape([null, 10, 16]), Is.EqualTo(new int?[] { null, 10, 16 }));
    }

    [Test]
    public void LayerNormalizationOverOtherAxes()
    {
        // (1, 2, 2) normalized over axis 1: column 0 = [1, 3] (mean 2, var 1), column 1 = [2, 4] (mean 3, var 1);
        // gamma per row [1, 10].
        var ln = new LayerNormalization(axis: 1, center: false);
        var x = T([1, 2, 3, 4], 1, 2, 2);
        ln.Apply(x);
        ln.SetWeights([T([1, 10], 2)]);
        AssertClose(ln.Apply(x), [N(1, 2, 1), N(2, 3, 1), N(3, 2, 1, 10), N(4, 3, 1, 10)], [1, 2, 2]);
        // Axes [1, 2] of (1, 2, 2): all four values, mean 2.5, var 1.25; gamma/beta have shape (2, 2): 8 params.
        var both = new LayerNormalization([1, 2]);
        var y = both.Apply(x);
        Assert.That(both.CountParams(), Is.EqualTo(8));
        Assert.That(both.GetWeights()[0].shape, Is.EqualTo(new long[] { 2, 2 }));
        AssertClose(y, [N(1, 2.5, 1.25), N(2, 2.5, 1.25), N(3, 2.5, 1.25), N(4, 2.5, 1.25)], [1, 2, 2]);
        // Params for axis [1, 2] on (None, 3, 4): (3·4)·2 = 24.
        var p = new LayerNormalization([-2, -1]);
        p.Apply(torch.zeros(1, 3, 4));
        Assert.That(p.CountParams(), Is.EqualTo(24));
    }

    [Test]
    public void GroupNormalizationChannelsLast()
    {
        // (1, 2 steps, 4 channels): t0 = [1, 2, 3, 4], t1 = [5, 6, 7, 8]; 2 groups:
        // group 0 = channels 0–1 = {1, 2, 5, 6}: mean 3.5, var (2.5² + 1.5² + 1.5² + 2.5²)/4 = 4.25;
        // group 1 = channels 2–3 = {3, 4, 7, 8}: mean 5.5, var 4.25. gamma [1, 1, 2, 2], beta [0, 0, 0, 1].
        var gn = new GroupNormalization(groups: 2);
        var x = T([1, 2, 3, 4, 5, 6, 7, 8], 1, 2, 4);
        gn.Apply(x);
        gn.SetWeights([T([1, 1, 2, 2], 4), T([0, 0, 0, 1], 4)]);
        AssertClose(gn.Apply(x),
            [N(1, 3.5, 4.25), N(2, 3.5, 4.25), N(3, 5.5, 4.25, 2), N(4, 5.5, 4.25, 2, 1),
             N(5, 3.5, 4.25), N(6, 3.5, 4.25), N(7, 5.5, 4.25, 2), N(8, 5.5, 4.25, 2, 1)], [1, 2, 4]);
        // channels_first (axis 1) on the transposed data gives the transposed result.
        var first = new GroupNormalization(groups: 2, axis: 1);
        first.Apply(x.permute(0, 2, 1).contiguous());
        first.SetWeights(gn.GetWeights());
        Assert.That(first.Apply(x.permute(0, 2, 1).contiguous()).permute(0, 2, 1).allclose(gn.Apply(x), 1e-5, 1e-5), Is.True);
        // Images: 4D NHWC output is contiguous.
        Assert.That(new GroupNormalization(groups: 2).Apply(torch.randn(2, 3, 3, 4)).is_contiguous(), Is.True);
    }

    [Test]
    public void GroupNormalizationGroupCountsAndParams()
    {
        // groups -1 = one group per channel: (1, 2 steps, 2 channels) c0 = {1, 3} mean 2 var 1, c1 = {2, 4} mean 3 var 1.
        var inst = new GroupNormalization(groups: -1);
        AssertClose(inst.Apply(T([1, 2, 3, 4], 1, 2, 2)), [N(1, 2, 1), N(2, 3, 1), N(3, 2, 1), N(4, 3, 1)], [1, 2, 2]);
        // groups 1 on (1, 4): one group over [1, 2, 3, 4].
        AssertClose(new GroupNormalization(groups: 1).Apply(T([1, 2, 3, 4], 1, 4)),
            [N(1, 2.5, 1.25), N(2, 2.5, 1.25), N(3, 2.5, 1.25), N(4, 2.5, 1.25)], [1, 4]);
        // Params: 16 channels, gamma 16 + beta 16 = 32.
        var p = new GroupNormalization(groups: 4);
        p.Apply(torch.zeros(1, 5, 5, 16));
        Assert.That(p.CountParams(), Is.EqualTo(32));
        // Keras's default of 32 groups needs at least 32 channels.
        var tooMany = Assert.Throws<ArgumentException>(() => new GroupNormalization(name: "gn32").Apply(torch.zeros(1, 4, 4, 16)))!;
        Assert.That(tooMany.ParamName, Is.EqualTo("groups"));
        Assert.That(tooMany.Message, Does.Contain("gn32").And.Contain("(32)").And.Contain("(16)"));
        Assert.That(Assert.Throws<ArgumentException>(() => new GroupNormalization(groups: 8).Apply(torch.zeros(1, 12)))!.ParamName, Is.EqualTo("groups"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNormalization(groups: 0))!.ParamName, Is.EqualTo("groups"));
    }

    [Test]
    public void ConfigGradientAndBadArguments()
    {
        AssertConfigRoundTrip(new LayerNormalization(epsilon: 1e-6, scale: false), [null, 3, 5]);
        var multi = AssertConfigRoundTrip(new LayerNormalization([1, 2]), [null, 3, 5]);
        Assert.That(((LayerNormalization)multi).Axis, Is.EqualTo(new[] { 1, 2 }));
        AssertConfigRoundTrip(new GroupNormalization(groups: 2, axis: 1, center: false), [null, 4, 3, 3]);
        AssertGradientReachesEveryTrainableWeight(new LayerNormalization(), torch.randn(3, 4, 5));
        AssertGradientReachesEveryTrainableWeight(new LayerNormalization([1, 2]), torch.randn(3, 4, 5));
        AssertGradientReachesEveryTrainableWeight(new GroupNormalization(groups: 2), torch.randn(3, 4, 4, 6));
        Assert.That(Assert.Throws<ArgumentException>(() => new LayerNormalization(axis: 0).Apply(torch.zeros(2, 3)))!.ParamName, Is.EqualTo("axis"));
        Assert.That(Assert.Throws<ArgumentException>(() => new LayerNormalization([1, 1]))!.ParamName, Is.EqualTo("axis"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization(epsilon: double.NaN))!.ParamName, Is.EqualTo("epsilon"));
        var ln = new LayerNormalization(name: "ln_feat");
        ln.Apply(torch.zeros(2, 4));
        Assert.That(Assert.Throws<ArgumentException>(() => ln.Apply(torch.zeros(2, 5)))!.Message, Does.Contain("ln_feat"));
        var gn = new GroupNormalization(groups: 2, name: "gn_feat");
        gn.Apply(torch.zeros(2, 4));
        Assert.That(Assert.Throws<ArgumentException>(() => gn.Apply(torch.zeros(2, 6)))!.Message, Does.Contain("gn_feat"));
    }
}
