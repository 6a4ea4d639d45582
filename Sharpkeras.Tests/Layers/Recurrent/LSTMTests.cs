using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class LSTMTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(7);
    }

    [Test]
    public void ParamCountAndWeightShapesMatchKeras()
    {
        var lstm = new LSTM(64);
        var y = lstm.Apply(Keras.Input([10, 64]));
        // kernel 64·(4·64) + recurrent_kernel 64·(4·64) + bias 4·64 = 16,384 + 16,384 + 256 = 33,024
        Assert.That(lstm.CountParams(), Is.EqualTo(33_024));
        var w = lstm.GetWeights();
        Assert.That(w.Select(t => t.shape).ToArray(), Is.EqualTo(new[] { new long[] { 64, 256 }, [64, 256], [256] }));
        Assert.That(lstm.Variables.Select(v => v.Name), Is.EqualTo(new[] { "kernel", "recurrent_kernel", "bias" }));
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 64 }));
        Assert.That(lstm.Name, Is.EqualTo("lstm"));
    }

    [Test]
    public void UnitForgetBiasInitializesForgetBlockToOnes()
    {
        var lstm = new LSTM(3, biasInitializer: "zeros");
        lstm.Apply(Keras.Input([2, 4]));
        // Keras: bias = concat(bias_init(u), ones(u), bias_init(2u)) → [0,0,0 | 1,1,1 | 0,0,0 | 0,0,0]
        AssertClose(lstm.Bias!.Value, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], 0, "bias");
        var plain = new LSTM(3, unitForgetBias: false);
        plain.Apply(Keras.Input([2, 4]));
        AssertClose(plain.Bias!.Value, new double[12], 0, "bias without unit_forget_bias");
    }

    /// <summary>A 1-unit LSTM on the 2-step sequence x = (1.0, −2.0), every gate written out.</summary>
    [Test]
    public void OneUnitTwoStepsMatchesHandComputation()
    {
        // Keras layout, gates i, f, c, o.
        double[] k = [0.5, -0.3, 0.8, 0.2];    // kernel (1, 4)
        double[] r = [0.1, 0.4, -0.6, 0.3];    // recurrent_kernel (1, 4)
        double[] b = [0.05, 1.0, -0.1, 0.2];   // bias (4)
        double x1 = 1.0, x2 = -2.0;

        // step 1 (h0 = c0 = 0)
        double i1 = Sigmoid(k[0] * x1 + b[0]);
        double f1 = Sigmoid(k[1] * x1 + b[1]);
        double g1 = Math.Tanh(k[2] * x1 + b[2]);
        double o1 = Sigmoid(k[3] * x1 + b[3]);
        double c1 = f1 * 0 + i1 * g1;
        double h1 = o1 * Math.Tanh(c1);
        // step 2
        double i2 = Sigmoid(k[0] * x2 + r[0] * h1 + b[0]);
        double f2 = Sigmoid(k[1] * x2 + r[1] * h1 + b[1]);
        double g2 = Math.Tanh(k[2] * x2 + r[2] * h1 + b[2]);
        double o2 = Sigmoid(k[3] * x2 + r[3] * h1 + b[3]);
        double c2 = f2 * c1 + i2 * g2;
        double h2 = o2 * Math.Tanh(c2);

        var lstm = new LSTM(1, returnSequences: true, returnState: true);
        var x = torch.tensor(new float[] { (float)x1, (float)x2 }).reshape(1, 2, 1);
        lstm.Apply(x);
        lstm.SetWeights([torch.tensor(k.Select(v => (float)v).ToArray()).reshape(1, 4),
                         torch.tensor(r.Select(v => (float)v).ToArray()).reshape(1, 4),
                         torch.tensor(b.Select(v => (float)v).ToArray())]);
        var outs = lstm.ApplyMulti([x]);
        Assert.That(outs.Length, Is.EqualTo(3));
        AssertClose(outs[0], [h1, h2], 1e-6, "sequence");
        AssertClose(outs[1], [h2], 1e-6, "h");
        AssertClose(outs[2], [c2], 1e-6, "c");
        // inference mode (no autograd) gives the same values: libtorch's CPU oneDNN LSTM inference path is wrong
        // (pytorch/pytorch#173922) and must not be used
        using (torch.no_grad())
        {
            var inference = lstm.ApplyMulti([x]);
            AssertClose(inference[0], [h1, h2], 1e-6, "sequence under no_grad");
            AssertClose(inference[2], [c2], 1e-6, "c under no_grad");
        }

        // the generic per-step path (a non-fused activation pair that is numerically identical: tanh/sigmoid
        // are forced through the loop by training with recurrent dropout below) must agree as well
        var looped = new LSTM(1, recurrentDropout: 1e-9, returnSequences: true, seed: 3);
        looped.Apply(x);
        looped.SetWeights(lstm.GetWeights());
        AssertClose(looped.Apply(x, training: true), [h1, h2], 1e-5, "loop path");
    }

    [Test]
    public void MatchesKerasEquationsForSeveralUnitsDirectionsAndInitialState()
    {
        const int B = 3, T = 5, D = 4, U = 3;
        var x = torch.randn(B, T, D);
        var h0 = torch.randn(B, U) * 0.5;
        var c0 = torch.randn(B, U) * 0.5;
        foreach (bool back in new[] { false, true })
        {
            var lstm = new LSTM(U, returnSequences: true, returnState: true, goBackwards: back, biasInitializer: "random_normal");
            var outs = lstm.ApplyMulti([x, h0, c0]);
            var cell = LstmCell(Matrix(lstm.Kernel.Value), Matrix(lstm.RecurrentKernel.Value), Flat(lstm.Bias!.Value));
            var xs = Sequences(x);
            var h0s = Sequences(h0.unsqueeze(1));
            var c0s = Sequences(c0.unsqueeze(1));
            var seq = new List<double>(); var hs = new List<double>(); var cs = new List<double>();
            for (int n = 0; n < B; n++)
            {
                var (s, st) = RunSample(cell, xs[n], [h0s[n][0], c0s[n][0]], null, back);
                seq.AddRange(s.SelectMany(v => v)); hs.AddRange(st[0]); cs.AddRange(st[1]);
            }
            AssertClose(outs[0], seq.ToArray(), 1e-5, $"sequence (goBackwards {back})");
            AssertClose(outs[1], hs.ToArray(), 1e-5, "h");
            AssertClose(outs[2], cs.ToArray(), 1e-5, "c");
        }
    }

    [Test]
    public void NonFusedActivationsFollowKerasEquations()
    {
        // hard_sigmoid gates cannot use libtorch's fused kernel: the per-step loop must give Keras's values.
        var x = torch.randn(2, 4, 3);
        var lstm = new LSTM(2, recurrentActivation: "hard_sigmoid", returnSequences: true);
        var y = lstm.Apply(x);
        var kernel = Matrix(lstm.Kernel.Value); var rec = Matrix(lstm.RecurrentKernel.Value); var bias = Flat(lstm.Bias!.Value);
        static double Hard(double z) => Math.Clamp(z / 6 + 0.5, 0, 1); // Keras 3: relu6(x + 3) / 6
        Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils.CellStep cell = (xt, s) =>
        {
            int u = 2; var h = new double[u]; var c = new double[u];
            for (int j = 0; j < u; j++)
            {
                double Z(int g) { double a = bias[g * u + j]; for (int d = 0; d < xt.Length; d++) a += xt[d] * kernel[d, g * u + j]; for (int q = 0; q < u; q++) a += s[0][q] * rec[q, g * u + j]; return a; }
                c[j] = Hard(Z(1)) * s[1][j] + Hard(Z(0)) * Math.Tanh(Z(2));
                h[j] = Hard(Z(3)) * Math.Tanh(c[j]);
            }
            return (h, [h, c]);
        };
        var xs = Sequences(x);
        var expected = xs.SelectMany(s => RunSample(cell, s, [new double[2], new double[2]], null).sequence.SelectMany(v => v)).ToArray();
        AssertClose(y, expected, 1e-5, "hard_sigmoid LSTM");
    }

    [Test]
    public void OutputShapesForReturnSequencesAndReturnStateCombinations()
    {
        var input = Keras.Input([7, 5]);
        Assert.That(new LSTM(4).Apply(input).Shape, Is.EqualTo(new int?[] { null, 4 }));
        Assert.That(new LSTM(4, returnSequences: true).Apply(input).Shape, Is.EqualTo(new int?[] { null, 7, 4 }));
        var s = new LSTM(4, returnState: true).ApplyMulti(input);
        Assert.That(s.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 4 }, [null, 4], [null, 4] }));
        var both = new LSTM(4, returnSequences: true, returnState: true).ApplyMulti(input);
        Assert.That(both.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 7, 4 }, [null, 4], [null, 4] }));
        // eager tensors agree with the symbolic shapes
        var eager = new LSTM(4, returnSequences: true, returnState: true).ApplyMulti([torch.zeros(2, 7, 5)]);
        Assert.That(eager.Select(t => t.shape), Is.EqualTo(new[] { new long[] { 2, 7, 4 }, [2, 4], [2, 4] }));
        Assert.That(new LSTM(4).ComputeOutputShape([null, null, 5]), Is.EqualTo(new int?[] { null, 4 }));
        Assert.That(new LSTM(4, returnSequences: true).ComputeOutputShape([null, null, 5]), Is.EqualTo(new int?[] { null, null, 4 }));
    }

    [Test]
    public void InitialStateThroughFunctionalModelIsUsed()
    {
        var x = Keras.Input([3, 2]);
        var h = Keras.Input([4]);
        var c = Keras.Input([4]);
        var lstm = new LSTM(4);
        var y = lstm.ApplyMulti(x, h, c)[0];
        var model = new Model([x, h, c], [y]);
        var xv = torch.randn(2, 3, 2);
        var zero = model.Predict([xv, torch.zeros(2, 4), torch.zeros(2, 4)], verbose: 0)[0];
        var alone = lstm.Apply(xv);
        Assert.That(torch.allclose(zero, alone, 1e-6, 1e-6), Is.True, "zero initial state equals the default");
        var other = model.Predict([xv, torch.ones(2, 4), torch.ones(2, 4)], verbose: 0)[0];
        Assert.That(torch.allclose(zero, other, 1e-3, 1e-3), Is.False, "a different initial state changes the output");
    }

    [Test]
    public void GetWeightsAndSetWeightsUseKerasLayoutAndRoundTrip()
    {
        var a = new LSTM(3); a.Apply(torch.zeros(1, 2, 5));
        var b = new LSTM(3); b.Apply(torch.zeros(1, 2, 5));
        b.SetWeights(a.GetWeights());
        var x = torch.randn(4, 6, 5);
        Assert.That(torch.allclose(a.Apply(x), b.Apply(x)), Is.True);
        // the kernel's column block 1 is the forget gate: a huge negative forget bias makes c forget the past,
        // so the final output only depends on the last step
        var w = a.GetWeights();
        w[2][3..6] = -1e4f;
        a.SetWeights(w);
        var x2 = x.clone();
        x2[.., 0] = torch.randn(4, 5) * 10;
        Assert.That(torch.allclose(a.Apply(x), a.Apply(x2), 1e-5, 1e-5), Is.False,
            "h still reaches the gates through the recurrent kernel");
        Assert.Throws<ArgumentException>(() => a.SetWeights([w[0].t(), w[1], w[2]]));
    }

    [Test]
    public void ConfigRoundTripGivesSameShapesAndParams()
    {
        var lstm = new LSTM(5, activation: "relu", recurrentActivation: "hard_sigmoid", useBias: false, unitForgetBias: false,
            kernelRegularizer: "l2", dropout: 0.25, recurrentDropout: 0.1, seed: 4, returnSequences: true, returnState: true,
            goBackwards: true, unroll: true, inputShape: [6, 3]);
        var outs = lstm.ApplyMulti(Keras.Input([6, 3]));
        var config = lstm.GetConfig();
        Assert.That(config["units"], Is.EqualTo(5));
        Assert.That(config["recurrent_activation"], Is.EqualTo("hard_sigmoid"));
        Assert.That(config["kernel_initializer"], Is.EqualTo("glorot_uniform"));
        Assert.That(config["recurrent_initializer"], Is.EqualTo("orthogonal"));
        Assert.That(config["stateful"], Is.EqualTo(false));
        var copy = RecurrentTestUtils.FromConfig<LSTM>(config, new() { ["name"] = "lstm_copy" });
        var outs2 = copy.ApplyMulti(Keras.Input([6, 3]));
        Assert.That(outs2.Select(o => o.Shape), Is.EqualTo(outs.Select(o => o.Shape)));
        Assert.That(copy.CountParams(), Is.EqualTo(lstm.CountParams()));
        // no bias: 3·20 + 5·20 = 160
        Assert.That(copy.CountParams(), Is.EqualTo(160));
        Assert.That(copy.GetConfig().Where(kv => kv.Key != "name"), Is.EquivalentTo(config.Where(kv => kv.Key != "name")));
    }

    [Test]
    public void BadArgumentsThrowNamingTheArgument()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(0))!;
        Assert.That(e.ParamName, Is.EqualTo("units"));
        Assert.That(e.Message, Does.Contain("units"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(2, dropout: 1.0))!.ParamName, Is.EqualTo("dropout"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(2, dropout: -0.1))!.ParamName, Is.EqualTo("dropout"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new LSTM(2, recurrentDropout: 1.5))!.ParamName, Is.EqualTo("recurrentDropout"));
        Assert.That(Assert.Throws<ArgumentException>(() => new LSTM(2, activation: "nope"))!.ParamName, Is.EqualTo("activation"));
        Assert.That(Assert.Throws<ArgumentException>(() => new LSTM(2, kernelInitializer: "nope"))!.ParamName, Is.EqualTo("kernelInitializer"));
        Assert.That(new LSTM(2, stateful: true).Stateful, Is.True, "stateful is supported (see RNNTests)");
    }

    [Test]
    public void RankTwoInputFailsAtBuildNamingLayerAndShape()
    {
        var lstm = new LSTM(4, name: "my_lstm");
        var e = Assert.Throws<ArgumentException>(() => lstm.Apply(Keras.Input([8])))!;
        Assert.That(e.Message, Does.Contain("my_lstm").And.Contain("(None, 8)"));
        Assert.That(lstm.Built, Is.False);
        var eager = Assert.Throws<ArgumentException>(() => new LSTM(4, name: "eager_lstm").Apply(torch.zeros(2, 8)))!;
        Assert.That(eager.Message, Does.Contain("eager_lstm").And.Contain("(None, 8)"));
    }

    [Test]
    public void WrongFeatureCountOrStateShapeAtCallThrows()
    {
        var lstm = new LSTM(4);
        lstm.Apply(torch.zeros(2, 3, 5));
        var e = Assert.Throws<ArgumentException>(() => lstm.Apply(torch.zeros(2, 3, 6)))!;
        Assert.That(e.Message, Does.Contain(lstm.Name).And.Contain("(2, 3, 6)"));
        Assert.Throws<ArgumentException>(() => lstm.ApplyMulti([torch.zeros(2, 3, 5), torch.zeros(2, 4)]));
        Assert.Throws<ArgumentException>(() => lstm.ApplyMulti([torch.zeros(2, 3, 5), torch.zeros(2, 3), torch.zeros(2, 4)]));
        Assert.Throws<ArgumentException>(() => lstm.CallMulti([torch.zeros(2, 3, 5)], false, [torch.ones(2, 4, dtype: ScalarType.Bool)]));
    }
}
