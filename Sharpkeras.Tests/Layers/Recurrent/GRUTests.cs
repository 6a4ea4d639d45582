using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class GRUTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(11);
    }

    [Test]
    public void ParamCountAndWeightShapesMatchKeras()
    {
        var gru = new GRU(64);
        gru.Apply(Keras.Input([10, 64]));
        // reset_after: 3·(64·64 + 64·64 + 2·64) = 3·(4,096 + 4,096 + 128) = 24,960
        Assert.That(gru.CountParams(), Is.EqualTo(24_960));
        Assert.That(gru.GetWeights().Select(t => t.shape).ToArray(), Is.EqualTo(new[] { new long[] { 64, 192 }, [64, 192], [2, 192] }));
        var old = new GRU(64, resetAfter: false);
        old.Apply(Keras.Input([10, 64]));
        // reset_after = False: 3·(64·64 + 64·64 + 64) = 24,768
        Assert.That(old.CountParams(), Is.EqualTo(24_768));
        Assert.That(old.Bias!.KerasShape, Is.EqualTo(new long[] { 192 }));
    }

    /// <summary>A 1-unit GRU (reset_after) on the 2-step sequence x = (0.5, −1.5), every gate written out.</summary>
    [Test]
    public void OneUnitTwoStepsMatchesHandComputation()
    {
        // Keras layout, gates z, r, h.
        double[] k = [0.6, -0.4, 0.9];                 // kernel (1, 3)
        double[] u = [0.3, 0.7, -0.5];                 // recurrent_kernel (1, 3)
        double[] bi = [0.1, -0.2, 0.05];               // bias[0]: input bias
        double[] br = [-0.1, 0.15, 0.2];               // bias[1]: recurrent bias
        double x1 = 0.5, x2 = -1.5;

        // step 1 (h0 = 0)
        double z1 = Sigmoid(k[0] * x1 + bi[0] + u[0] * 0 + br[0]);
        double r1 = Sigmoid(k[1] * x1 + bi[1] + u[1] * 0 + br[1]);
        double n1 = Math.Tanh(k[2] * x1 + bi[2] + r1 * (u[2] * 0 + br[2]));
        double h1 = z1 * 0 + (1 - z1) * n1;
        // step 2
        double z2 = Sigmoid(k[0] * x2 + bi[0] + u[0] * h1 + br[0]);
        double r2 = Sigmoid(k[1] * x2 + bi[1] + u[1] * h1 + br[1]);
        double n2 = Math.Tanh(k[2] * x2 + bi[2] + r2 * (u[2] * h1 + br[2]));
        double h2 = z2 * h1 + (1 - z2) * n2;

        var gru = new GRU(1, returnSequences: true, returnState: true);
        var x = torch.tensor(new float[] { (float)x1, (float)x2 }).reshape(1, 2, 1);
        gru.Apply(x);
        static Tensor T(double[] v) => torch.tensor(v.Select(a => (float)a).ToArray());
        gru.SetWeights([T(k).reshape(1, 3), T(u).reshape(1, 3), torch.stack([T(bi), T(br)])]);
        var outs = gru.ApplyMulti([x]);
        Assert.That(outs.Length, Is.EqualTo(2));
        AssertClose(outs[0], [h1, h2], 1e-6, "sequence");
        AssertClose(outs[1], [h2], 1e-6, "state");
        using (torch.no_grad()) AssertClose(gru.Apply(x), [h1, h2], 1e-6, "sequence under no_grad");
    }

    /// <summary>reset_after = False (Keras 2 / TF1 style): ĥ = tanh(x·W_h + b_h + (r·h)·U_h), single bias (3).</summary>
    [Test]
    public void ResetBeforeOneUnitMatchesHandComputation()
    {
        double[] k = [0.6, -0.4, 0.9];
        double[] u = [0.3, 0.7, -0.5];
        double[] b = [0.1, -0.2, 0.05];
        double x1 = 0.5, x2 = -1.5;
        double z1 = Sigmoid(k[0] * x1 + b[0]);
        double r1 = Sigmoid(k[1] * x1 + b[1]);
        double n1 = Math.Tanh(k[2] * x1 + b[2] + (r1 * 0) * u[2]);
        double h1 = (1 - z1) * n1;
        double z2 = Sigmoid(k[0] * x2 + b[0] + u[0] * h1);
        double r2 = Sigmoid(k[1] * x2 + b[1] + u[1] * h1);
        double n2 = Math.Tanh(k[2] * x2 + b[2] + (r2 * h1) * u[2]);
        double h2 = z2 * h1 + (1 - z2) * n2;

        var gru = new GRU(1, resetAfter: false, returnSequences: true);
        var x = torch.tensor(new float[] { (float)x1, (float)x2 }).reshape(1, 2, 1);
        gru.Apply(x);
        static Tensor T(double[] v) => torch.tensor(v.Select(a => (float)a).ToArray());
        gru.SetWeights([T(k).reshape(1, 3), T(u).reshape(1, 3), T(b)]);
        AssertClose(gru.Apply(x), [h1, h2], 1e-6, "reset_after=False");
    }

    [Test]
    public void MatchesKerasEquationsForSeveralUnitsBothResetModesAndDirections()
    {
        const int B = 3, T = 6, D = 4, U = 3;
        var x = torch.randn(B, T, D);
        var h0 = torch.randn(B, U) * 0.5;
        foreach (bool resetAfter in new[] { true, false })
        foreach (bool back in new[] { false, true })
        {
            var gru = new GRU(U, returnSequences: true, returnState: true, goBackwards: back, resetAfter: resetAfter, biasInitializer: "random_normal");
            var outs = gru.ApplyMulti([x, h0]);
            var bias = resetAfter ? Matrix(gru.Bias!.Value) : Matrix(gru.Bias!.Value.unsqueeze(0));
            var cell = GruCell(Matrix(gru.Kernel.Value), Matrix(gru.RecurrentKernel.Value), bias, resetAfter);
            var xs = Sequences(x);
            var h0s = Sequences(h0.unsqueeze(1));
            var seq = new List<double>(); var hs = new List<double>();
            for (int n = 0; n < B; n++)
            {
                var (s, st) = RunSample(cell, xs[n], [h0s[n][0]], null, back);
                seq.AddRange(s.SelectMany(v => v)); hs.AddRange(st[0]);
            }
            AssertClose(outs[0], seq.ToArray(), 1e-5, $"sequence (resetAfter {resetAfter}, goBackwards {back})");
            AssertClose(outs[1], hs.ToArray(), 1e-5, "state");
        }
    }

    [Test]
    public void OutputShapesForReturnSequencesAndReturnStateCombinations()
    {
        var input = Keras.Input([7, 5]);
        Assert.That(new GRU(4).Apply(input).Shape, Is.EqualTo(new int?[] { null, 4 }));
        Assert.That(new GRU(4, returnSequences: true).Apply(input).Shape, Is.EqualTo(new int?[] { null, 7, 4 }));
        var s = new GRU(4, returnState: true).ApplyMulti(input);
        Assert.That(s.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 4 }, [null, 4] }));
        var both = new GRU(4, returnSequences: true, returnState: true).ApplyMulti(input);
        Assert.That(both.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 7, 4 }, [null, 4] }));
        var eager = new GRU(4, returnSequences: true, returnState: true).ApplyMulti([torch.zeros(2, 7, 5)]);
        Assert.That(eager.Select(t => t.shape), Is.EqualTo(new[] { new long[] { 2, 7, 4 }, [2, 4] }));
    }

    [Test]
    public void ConfigRoundTripGivesSameShapesAndParams()
    {
        var gru = new GRU(6, recurrentActivation: "hard_sigmoid", resetAfter: false, returnSequences: true, biasRegularizer: "l1", seed: 2);
        var y = gru.Apply(Keras.Input([4, 3]));
        var config = gru.GetConfig();
        Assert.That(config["reset_after"], Is.EqualTo(false));
        Assert.That(config["bias_regularizer"], Is.EqualTo("l1"));
        var copy = RecurrentTestUtils.FromConfig<GRU>(config, new() { ["name"] = "gru_copy" });
        Assert.That(copy.Apply(Keras.Input([4, 3])).Shape, Is.EqualTo(y.Shape));
        // 3·(3·6 + 6·6 + 6) = 180
        Assert.That(copy.CountParams(), Is.EqualTo(gru.CountParams()).And.EqualTo(180));
        Assert.That(copy.GetConfig().Where(kv => kv.Key != "name"), Is.EquivalentTo(config.Where(kv => kv.Key != "name")));
    }

    [Test]
    public void BadArgumentsAndInputsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(-1))!.ParamName, Is.EqualTo("units"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(2, dropout: 1))!.ParamName, Is.EqualTo("dropout"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new GRU(2, recurrentDropout: -1))!.ParamName, Is.EqualTo("recurrentDropout"));
        var e = Assert.Throws<ArgumentException>(() => new GRU(2, name: "g").Apply(Keras.Input([3, 4, 5])))!;
        Assert.That(e.Message, Does.Contain("'g'").And.Contain("(None, 3, 4, 5)"));
        var gru = new GRU(2);
        gru.Apply(torch.zeros(1, 3, 4));
        Assert.Throws<ArgumentException>(() => gru.ApplyMulti([torch.zeros(1, 3, 4), torch.zeros(1, 2), torch.zeros(1, 2)]));
    }
}
