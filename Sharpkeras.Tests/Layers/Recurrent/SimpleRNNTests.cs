using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class SimpleRNNTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(5);
    }

    [Test]
    public void ParamCountMatchesKeras()
    {
        var rnn = new SimpleRNN(64);
        rnn.Apply(Keras.Input([10, 64]));
        // 64·64 + 64·64 + 64 = 8,256
        Assert.That(rnn.CountParams(), Is.EqualTo(8_256));
        Assert.That(rnn.Name, Is.EqualTo("simple_rnn"));
        Assert.That(rnn.GetWeights().Select(t => t.shape).ToArray(), Is.EqualTo(new[] { new long[] { 64, 64 }, [64, 64], [64] }));
    }

    [Test]
    public void TwoStepsMatchHandComputation()
    {
        // 2 units, 1 feature: h_t = tanh(x_t·K + b + h_{t−1}·R)
        double[,] k = { { 0.5, -1.0 } };
        double[,] r = { { 0.2, 0.3 }, { -0.4, 0.1 } };
        double[] b = [0.1, -0.05];
        double x1 = 1.0, x2 = 0.5;
        double h1a = Math.Tanh(x1 * k[0, 0] + b[0]);
        double h1b = Math.Tanh(x1 * k[0, 1] + b[1]);
        double h2a = Math.Tanh(x2 * k[0, 0] + b[0] + h1a * r[0, 0] + h1b * r[1, 0]);
        double h2b = Math.Tanh(x2 * k[0, 1] + b[1] + h1a * r[0, 1] + h1b * r[1, 1]);

        var x = torch.tensor(new float[] { (float)x1, (float)x2 }).reshape(1, 2, 1);
        foreach (var activation in new[] { "tanh", "relu", "selu" })
        {
            var rnn = new SimpleRNN(2, activation: activation, returnSequences: true);
            rnn.Apply(x);
            rnn.SetWeights([torch.tensor(new float[] { 0.5f, -1.0f }).reshape(1, 2), torch.tensor(new float[] { 0.2f, 0.3f, -0.4f, 0.1f }).reshape(2, 2),
                torch.tensor(new float[] { 0.1f, -0.05f })]);
            if (activation == "tanh") AssertClose(rnn.Apply(x), [h1a, h1b, h2a, h2b], 1e-6, "tanh");
            else
            {
                Func<double, double> f = activation == "relu"
                    ? v => Math.Max(0, v)
                    : v => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.Exp(v) - 1));
                double g1a = f(x1 * k[0, 0] + b[0]), g1b = f(x1 * k[0, 1] + b[1]);
                double g2a = f(x2 * k[0, 0] + b[0] + g1a * r[0, 0] + g1b * r[1, 0]);
                double g2b = f(x2 * k[0, 1] + b[1] + g1a * r[0, 1] + g1b * r[1, 1]);
                AssertClose(rnn.Apply(x), [g1a, g1b, g2a, g2b], 1e-6, activation);
            }
        }
    }

    [Test]
    public void OutputShapesAndStates()
    {
        var input = Keras.Input([7, 5]);
        Assert.That(new SimpleRNN(4).Apply(input).Shape, Is.EqualTo(new int?[] { null, 4 }));
        Assert.That(new SimpleRNN(4, returnSequences: true).Apply(input).Shape, Is.EqualTo(new int?[] { null, 7, 4 }));
        var both = new SimpleRNN(4, returnSequences: true, returnState: true).ApplyMulti(input);
        Assert.That(both.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 7, 4 }, [null, 4] }));
        var rnn = new SimpleRNN(3, returnState: true, goBackwards: true);
        var x = torch.randn(2, 4, 5);
        var outs = rnn.ApplyMulti([x]);
        // the last output of a SimpleRNN is its state
        Assert.That(torch.allclose(outs[0], outs[1]), Is.True);
        var cell = SimpleCell(Matrix(rnn.Kernel.Value), Matrix(rnn.RecurrentKernel.Value), Flat(rnn.Bias!.Value), Math.Tanh);
        var expected = Sequences(x).SelectMany(s => RunSample(cell, s, [new double[3]], null, goBackwards: true).states[0]).ToArray();
        AssertClose(outs[1], expected, 1e-5, "goBackwards state");
    }

    [Test]
    public void ConfigRoundTrip()
    {
        var rnn = new SimpleRNN(3, activation: "relu", useBias: false, goBackwards: true, recurrentInitializer: "identity");
        var y = rnn.Apply(Keras.Input([5, 2]));
        var config = rnn.GetConfig();
        var copy = RecurrentTestUtils.FromConfig<SimpleRNN>(config, new() { ["name"] = "rnn_copy" });
        Assert.That(copy.Apply(Keras.Input([5, 2])).Shape, Is.EqualTo(y.Shape));
        // 2·3 + 3·3 = 15
        Assert.That(copy.CountParams(), Is.EqualTo(15));
        AssertClose(copy.RecurrentKernel.Value, [1, 0, 0, 0, 1, 0, 0, 0, 1], 0, "identity recurrent initializer");
    }
}
