using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class TimeDistributedTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(9);
    }

    [Test]
    public void AppliesTheSameDenseToEveryTimestep()
    {
        var td = new TimeDistributed(new Dense(5));
        var y = td.Apply(Keras.Input([4, 3]));
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 4, 5 }));
        // one Dense: 3·5 + 5 = 20 parameters, shared by all timesteps
        Assert.That(td.CountParams(), Is.EqualTo(20));
        var x = torch.randn(2, 4, 3);
        var out1 = td.Apply(x);
        var dense = (Dense)td.Layer;
        var k = Matrix(dense.Kernel.Value); var b = Flat(dense.Bias!.Value); var xs = Sequences(x);
        var expected = new List<double>();
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 4; t++)
                for (int j = 0; j < 5; j++)
                {
                    double s = b[j];
                    for (int d = 0; d < 3; d++) s += xs[n][t][d] * k[d, j];
                    expected.Add(s);
                }
        AssertClose(out1, expected.ToArray(), 1e-5, "per-timestep Dense");
    }

    [Test]
    public void WorksOnHigherRankInputsAndIntegerIds()
    {
        var td = new TimeDistributed(new Dense(2));
        Assert.That(td.Apply(Keras.Input([3, 4, 6])).Shape, Is.EqualTo(new int?[] { null, 3, 4, 2 }));
        Assert.That(td.Apply(torch.zeros(5, 3, 4, 6)).shape, Is.EqualTo(new long[] { 5, 3, 4, 2 }));
        // integer ids reach a wrapped Embedding untouched
        var emb = new TimeDistributed(new Embedding(10, 3));
        var ids = torch.tensor(new long[] { 1, 2, 3, 4, 5, 6 }).reshape(1, 2, 3);
        var vectors = emb.Apply(ids);
        Assert.That(vectors.shape, Is.EqualTo(new long[] { 1, 2, 3, 3 }));
        var table = ((Embedding)emb.Layer).GetWeights()[0];
        Assert.That(torch.allclose(vectors[0, 1, 2], table[6]), Is.True);
    }

    [Test]
    public void WrappedRecurrentLayerRunsPerOuterStep()
    {
        // (batch, outer, inner, features): an LSTM over each inner sequence
        var td = new TimeDistributed(new LSTM(3));
        var x = torch.randn(2, 4, 5, 6);
        var y = td.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 4, 3 }));
        var lstm = (LSTM)td.Layer;
        Assert.That(torch.allclose(y[1, 2], lstm.Apply(x[1, 2].unsqueeze(0))[0], 1e-6, 1e-6), Is.True);
    }

    [Test]
    public void BadInputsThrowNamingTheLayer()
    {
        var e = Assert.Throws<ArgumentException>(() => new TimeDistributed(new Dense(2), name: "td").Apply(Keras.Input([4])))!;
        Assert.That(e.Message, Does.Contain("'td'").And.Contain("(None, 4)"));
        var td = new TimeDistributed(new Dense(2));
        td.Apply(torch.zeros(1, 2, 3));
        Assert.Throws<ArgumentException>(() => td.Apply(torch.zeros(1, 3)));
        Assert.Throws<ArgumentException>(() => td.Call(torch.zeros(2, 3, 3), false, torch.ones(2, 4, dtype: ScalarType.Bool)));
        Assert.Throws<ArgumentNullException>(() => new TimeDistributed(null!));
    }

    [Test]
    public void ConfigRoundTripAndGradient()
    {
        var td = new TimeDistributed(new Dense(4, activation: "relu"), inputShape: [3, 2]);
        var model = new Sequential(td);
        var config = td.GetConfig();
        var layer = (Dictionary<string, object?>)config["layer"]!;
        Assert.That(layer["class_name"], Is.EqualTo("Dense"));
        var copy = new TimeDistributed(new Dense(4, activation: "relu"), inputShape: (int?[]?)config["input_shape"]);
        Assert.That(new Sequential(copy).OutputShape, Is.EqualTo(model.OutputShape));
        var x = torch.randn(2, 3, 2);
        td.Apply(x, training: true).sum().backward();
        foreach (var v in td.TrainableWeights)
            Assert.That(v.Value.grad is not null && v.Value.grad.abs().sum().item<float>() > 0, Is.True, v.Path);
    }
}
