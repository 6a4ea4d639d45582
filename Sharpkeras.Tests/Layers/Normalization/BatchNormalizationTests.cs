using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersConv;

public class BatchNormalizationTests
{
    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(4);
    }

    // (4, 2): feature 0 = 1, 2, 3, 4 (mean 2.5, biased var 1.25); feature 1 = 2, 4, 6, 8 (mean 5, biased var 5).
    private static Tensor X() => T([1, 2, 2, 4, 3, 6, 4, 8], 4, 2);

    private static float[] Expected(float[] x, double[] mean, double[] var, double[] gamma, double[] beta, double eps = 1e-3)
    {
        var r = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = i % 2;
            r[i] = (float)(gamma[c] * (x[i] - mean[c]) / Math.Sqrt(var[c] + eps) + beta[c]);
        }
        return r;
    }

    private static readonly float[] XValues = [1, 2, 2, 4, 3, 6, 4, 8];

    private static BatchNormalization Make()
    {
        var bn = new BatchNormalization();
        bn.Apply(X());
        // gamma, beta, moving_mean, moving_variance (Keras's order).
        bn.SetWeights([T([2, 1], 2), T([0.5f, 0], 2), T([0, 0], 2), T([1, 1], 2)]);
        return bn;
    }

    [Test]
    public void ParamCountsAreKeras()
    {
        // 32 channels: gamma 32 + beta 32 trainable, moving_mean 32 + moving_variance 32 non-trainable: 128 total, 64 non-trainable.
        var bn = new BatchNormalization();
        bn.Apply(torch.zeros(2, 4, 4, 32));
        Assert.That(bn.CountParams(), Is.EqualTo(4 * 32).And.EqualTo(128));
        Assert.That(Count(bn.NonTrainableWeights), Is.EqualTo(64));
        Assert.That(Count(bn.TrainableWeights), Is.EqualTo(64));
        Assert.That(bn.Variables.Select(v => v.Name), Is.EqualTo(new[] { "gamma", "beta", "moving_mean", "moving_variance" }));
        Assert.That(bn.NonTrainableWeights.Select(v => v.Name), Is.EqualTo(new[] { "moving_mean", "moving_variance" }));
        // Moving statistics are buffers, not parameters: the optimizer never sees them.
        Assert.That(bn.parameters().Count(), Is.EqualTo(2));
        Assert.That(bn.ComputeOutputShape([null, 4, 4, 32]), Is.EqualTo(new int?[] { null, 4, 4, 32 }));
        var noCenter = new BatchNormalization(center: false, scale: false);
        noCenter.Apply(torch.zeros(2, 32));
        Assert.That(noCenter.CountParams(), Is.EqualTo(64));
        Assert.That(noCenter.TrainableWeights, Is.Empty);
    }

    [Test]
    public void TrainingUsesBatchStatisticsAndUpdatesMovingAveragesWithBiasedVariance()
    {
        var bn = Make();
        var y = bn.Apply(X(), training: true);
        AssertClose(y, Expected(XValues, [2.5, 5], [1.25, 5], [2, 1], [0.5, 0]), [4, 2]);
        // moving = moving·0.99 + batch·0.01: mean [0.025, 0.05]; variance 0.99 + 0.01·[1.25, 5] = [1.0025, 1.04]
        // (the unbiased variance [5/3, 20/3] would give [1.00667, 1.05667]).
        AssertClose(bn.MovingMean.Value, [0.025f, 0.05f], [2]);
        AssertClose(bn.MovingVariance.Value, [1.0025f, 1.04f], [2]);
        // A second step compounds: mean 0.025·0.99 + 0.025 = 0.04975.
        bn.Apply(X(), training: true);
        AssertClose(bn.MovingMean.Value, [0.04975f, 0.0995f], [2]);
    }

    [Test]
    public void InferenceUsesMovingStatisticsAndChangesNothing()
    {
        var bn = Make();
        bn.SetWeights([T([2, 1], 2), T([0.5f, 0], 2), T([1, 2], 2), T([4, 9], 2)]);
        var y = bn.Apply(X());
        AssertClose(y, Expected(XValues, [1, 2], [4, 9], [2, 1], [0.5, 0]), [4, 2]);
        AssertClose(bn.MovingMean.Value, [1, 2], [2]);
        AssertClose(bn.MovingVariance.Value, [4, 9], [2]);
    }

    [Test]
    public void FrozenLayerRunsInInferenceModeEvenWhenTraining()
    {
        var bn = Make();
        bn.SetWeights([T([2, 1], 2), T([0.5f, 0], 2), T([1, 2], 2), T([4, 9], 2)]);
        bn.Trainable = false;
        var y = bn.Apply(X(), training: true);
        AssertClose(y, Expected(XValues, [1, 2], [4, 9], [2, 1], [0.5, 0]), [4, 2]);
        AssertClose(bn.MovingMean.Value, [1, 2], [2]);
        Assert.That(bn.TrainableWeights, Is.Empty);
        Assert.That(bn.NonTrainableWeights.Count, Is.EqualTo(4));
        bn.Trainable = true;
        bn.Apply(X(), training: true);
        AssertClose(bn.MovingMean.Value, [0.99f + 0.025f, 1.98f + 0.05f], [2]);
    }

    [Test]
    public void ChannelsLastAndChannelsFirstImages()
    {
        // Channels_last (2, 1, 2, 2): channel 0 takes 1, 2, 3, 4 and channel 1 takes 2, 4, 6, 8 over (batch, h, w).
        var last = new BatchNormalization();
        var xl = T(XValues, 2, 1, 2, 2);
        var yl = last.Apply(xl, training: true);
        AssertClose(last.MovingMean.Value, [0.025f, 0.05f], [2]);
        AssertClose(last.MovingVariance.Value, [1.0025f, 1.04f], [2]);
        AssertClose(yl, Expected(XValues, [2.5, 5], [1.25, 5], [1, 1], [0, 0]), [2, 1, 2, 2]);
        Assert.That(yl.is_contiguous(), Is.True, "NHWC output stays contiguous");
        // Channels_first (axis 1): the same data as (2, 2, 1, 2).
        var first = new BatchNormalization(axis: 1);
        var yf = first.Apply(xl.permute(0, 3, 1, 2).contiguous(), training: true);
        AssertClose(first.MovingMean.Value, [0.025f, 0.05f], [2]);
        AssertClose(first.MovingVariance.Value, [1.0025f, 1.04f], [2]);
        Assert.That(yf.permute(0, 2, 3, 1).allclose(yl, 1e-5, 1e-5), Is.True);
        // Sequences (batch, steps, features) with axis -1.
        var seq = new BatchNormalization();
        seq.Apply(T(XValues, 2, 2, 2), training: true);
        AssertClose(seq.MovingMean.Value, [0.025f, 0.05f], [2]);
    }

    [Test]
    public void MaskedStatisticsAndSingleValues()
    {
        // Steps [1, 2, 10] with mask [1, 1, 0]: mean 1.5, var 0.25 over the unmasked steps.
        var bn = new BatchNormalization();
        var x = T([1, 2, 10], 1, 3, 1);
        Layer.SetMask(x, torch.tensor(new[] { true, true, false }).reshape(1, 3));
        var y = bn.Apply(x, training: true);
        double s = Math.Sqrt(0.25 + 1e-3);
        AssertClose(y, [(float)(-0.5 / s), (float)(0.5 / s), (float)(8.5 / s)], [1, 3, 1], 1e-4);
        AssertClose(bn.MovingMean.Value, [0.015f], [1]);
        AssertClose(bn.MovingVariance.Value, [0.99f + 0.0025f], [1]);
        Assert.That(Layer.GetMask(y), Is.Not.Null, "BatchNormalization passes the mask on");
        // One value per feature: var 0, the output is beta (0), the moving mean moves 1% toward x.
        var one = new BatchNormalization();
        var y1 = one.Apply(T([3, -5], 1, 2), training: true);
        AssertClose(y1, [0, 0], [1, 2]);
        AssertClose(one.MovingMean.Value, [0.03f, -0.05f], [2]);
        AssertClose(one.MovingVariance.Value, [0.99f, 0.99f], [2]);
    }

    [Test]
    public void SynchronizedIsKeptInTheConfigAndWithoutADistributionIsTheOrdinaryLayer()
    {
        var copy = (BatchNormalization)AssertConfigRoundTrip(new BatchNormalization(synchronized: true), [null, 3, 2]);
        Assert.That(copy.Synchronized, Is.True);
        Assert.That(copy.GetConfig()["synchronized"], Is.EqualTo(true));
        Assert.That(new BatchNormalization().GetConfig()["synchronized"], Is.EqualTo(false), "Keras's default");
        Assert.That(Keras.Distribution.Current, Is.Null);
        // Training on X(): the batch statistics (2.5, 5; biased variances 1.25, 5) normalize, and the moving
        // statistics move 1% toward them, exactly as without the option.
        var bn = new BatchNormalization(synchronized: true);
        var y = bn.Apply(X(), training: true);
        AssertClose(y, Expected(XValues, [2.5, 5], [1.25, 5], [1, 1], [0, 0]), [4, 2]);
        AssertClose(bn.MovingMean.Value, [0.025f, 0.05f], [2]);
        AssertClose(bn.MovingVariance.Value, [0.99f + 0.0125f, 0.99f + 0.05f], [2]);
        AssertGradientReachesEveryTrainableWeight(new BatchNormalization(synchronized: true), torch.randn(4, 3, 3, 2));
    }

    [Test]
    public void ConfigGradientAndBadArguments()
    {
        AssertConfigRoundTrip(new BatchNormalization(axis: 1, momentum: 0.9, epsilon: 1e-5, center: false, gammaInitializer: "he_normal"), [null, 3, 4, 4]);
        AssertConfigRoundTrip(new BatchNormalization(inputShape: [5]), [null, 5]);
        var c = new BatchNormalization().GetConfig();
        Assert.That(c["momentum"], Is.EqualTo(0.99));
        Assert.That(c["epsilon"], Is.EqualTo(1e-3));
        Assert.That(c["axis"], Is.EqualTo(-1));
        Assert.That(c["moving_variance_initializer"], Is.EqualTo("ones"));
        AssertGradientReachesEveryTrainableWeight(new BatchNormalization(), torch.randn(4, 3, 3, 2));
        AssertGradientReachesEveryTrainableWeight(new BatchNormalization(), torch.randn(4, 3), training: false);
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(momentum: 1.5))!.ParamName, Is.EqualTo("momentum"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(epsilon: -1))!.ParamName, Is.EqualTo("epsilon"));
        Assert.That(Assert.Throws<ArgumentException>(() => new BatchNormalization(betaInitializer: "nope"))!.ParamName, Is.EqualTo("identifier"));
        var ax = Assert.Throws<ArgumentException>(() => new BatchNormalization(axis: 3, name: "bn_axis").Apply(torch.zeros(2, 4)))!;
        Assert.That(ax.ParamName, Is.EqualTo("axis"));
        Assert.That(ax.Message, Does.Contain("bn_axis").And.Contain("(None, 4)"));
        var bn = new BatchNormalization(name: "bn_feat");
        bn.Apply(torch.zeros(2, 4));
        var ex = Assert.Throws<ArgumentException>(() => bn.Apply(torch.zeros(2, 5)))!;
        Assert.That(ex.Message, Does.Contain("bn_feat").And.Contain("4 features"));
        AssertClose(bn.MovingMean.Value, [0, 0, 0, 0], [4]);
    }
}
