using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class BidirectionalTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(21);
    }

    [Test]
    public void ParamCountIsTwiceTheWrappedLayersAndWeightsAreForwardThenBackward()
    {
        var bi = new Bidirectional(new LSTM(64));
        var y = bi.Apply(Keras.Input([10, 64]));
        // 2 × (64·256 + 64·256 + 256) = 2 × 33,024 = 66,048
        Assert.That(bi.CountParams(), Is.EqualTo(66_048));
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 128 }));
        Assert.That(bi.Variables.Select(v => v.Path), Is.EqualTo(new[]
        {
            "forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
            "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias",
        }));
        Assert.That(bi.ForwardLayer.GoBackwards, Is.False);
        Assert.That(bi.BackwardLayer.GoBackwards, Is.True);
        var gru = new Bidirectional(new GRU(8), mergeMode: "sum");
        gru.Apply(Keras.Input([5, 4]));
        // 2 × 3·(4·8 + 8·8 + 2·8) = 2 × 336 = 672
        Assert.That(gru.CountParams(), Is.EqualTo(672));
    }

    [Test]
    public void OutputShapesForEveryMergeModeAndReturnFlags()
    {
        var input = Keras.Input([7, 5]);
        Assert.That(new Bidirectional(new LSTM(4), "concat").Apply(input).Shape, Is.EqualTo(new int?[] { null, 8 }));
        foreach (var mode in new[] { "sum", "mul", "ave" })
            Assert.That(new Bidirectional(new LSTM(4), mode).Apply(input).Shape, Is.EqualTo(new int?[] { null, 4 }), mode);
        var separate = new Bidirectional(new LSTM(4), mergeMode: null).ApplyMulti(input);
        Assert.That(separate.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 4 }, [null, 4] }));
        Assert.That(new Bidirectional(new GRU(4, returnSequences: true)).Apply(input).Shape, Is.EqualTo(new int?[] { null, 7, 8 }));
        var states = new Bidirectional(new LSTM(4, returnSequences: true, returnState: true)).ApplyMulti(input);
        Assert.That(states.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 7, 8 }, [null, 4], [null, 4], [null, 4], [null, 4] }));
        var eager = new Bidirectional(new GRU(4, returnState: true), mergeMode: null).ApplyMulti([torch.zeros(2, 7, 5)]);
        Assert.That(eager.Select(t => t.shape), Is.EqualTo(new[] { new long[] { 2, 4 }, [2, 4], [2, 4], [2, 4] }));
    }

    [Test]
    public void ConcatenatesTheForwardAndTheReversedBackwardRuns()
    {
        const int B = 2, T = 4, D = 3, U = 2;
        var x = torch.randn(B, T, D);
        var bi = new Bidirectional(new LSTM(U, returnSequences: true, biasInitializer: "random_normal"));
        var y = bi.Apply(x);
        var f = bi.ForwardLayer; var b = bi.BackwardLayer;
        LSTM fl = (LSTM)f, bl = (LSTM)b;
        var fcell = LstmCell(Matrix(fl.Kernel.Value), Matrix(fl.RecurrentKernel.Value), Flat(fl.Bias!.Value));
        var bcell = LstmCell(Matrix(bl.Kernel.Value), Matrix(bl.RecurrentKernel.Value), Flat(bl.Bias!.Value));
        var xs = Sequences(x);
        var expected = new List<double>();
        for (int n = 0; n < B; n++)
        {
            var fs = RunSample(fcell, xs[n], [new double[U], new double[U]], null).sequence;
            var bs = RunSample(bcell, xs[n], [new double[U], new double[U]], null, goBackwards: true).sequence;
            // Keras flips the backward sequence back to the input's time order: step t pairs with bs[T-1-t]
            for (int t = 0; t < T; t++) expected.AddRange(fs[t].Concat(bs[T - 1 - t]));
        }
        AssertClose(y, expected.ToArray(), 1e-5, "concat");
    }

    [Test]
    public void MergeModesCombineTheTwoDirections()
    {
        var x = torch.randn(3, 5, 4);
        foreach (var mode in new[] { "sum", "mul", "ave" })
        {
            var bi = new Bidirectional(new GRU(3), mergeMode: mode);
            var y = bi.Apply(x);
            var f = bi.ForwardLayer.Apply(x);
            var b = bi.BackwardLayer.Apply(x);
            var expected = mode switch { "sum" => f + b, "mul" => f * b, _ => (f + b) / 2 };
            Assert.That(torch.allclose(y, expected, 1e-6, 1e-6), Is.True, mode);
        }
        var pair = new Bidirectional(new GRU(3), mergeMode: null);
        var outs = pair.ApplyMulti([x]);
        Assert.That(torch.allclose(outs[1], pair.BackwardLayer.Apply(x), 1e-6, 1e-6), Is.True);
    }

    [Test]
    public void MasksAreRespectedInBothDirections()
    {
        var model = new Sequential(new Embedding(10, 4, maskZero: true, inputShape: [null]), new Bidirectional(new LSTM(3)));
        var unpadded = model.Apply(torch.tensor(new long[] { 5, 3, 7 }).reshape(1, 3));
        var padded = model.Apply(torch.tensor(new long[] { 5, 3, 7, 0, 0 }).reshape(1, 5));
        Assert.That(torch.allclose(unpadded, padded, 0, 1e-6), Is.True);

        // with returnSequences, Keras forces zero outputs at masked steps in both directions
        var seqModel = new Sequential(new Embedding(10, 4, maskZero: true, inputShape: [null], name: "e2"),
            new Bidirectional(new GRU(3, returnSequences: true), name: "bi_seq"));
        var s1 = seqModel.Apply(torch.tensor(new long[] { 5, 3, 7 }).reshape(1, 3));
        var s2 = seqModel.Apply(torch.tensor(new long[] { 5, 3, 7, 0, 0 }).reshape(1, 5));
        Assert.That(torch.allclose(s2[.., ..3], s1, 0, 1e-6), Is.True);
        Assert.That(s2[.., 3..].abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That(((Bidirectional)seqModel.Layers[1]).ForwardLayer.ZeroOutputForMask, Is.True);
    }

    [Test]
    public void InitialStatesGoForwardThenBackward()
    {
        var bi = new Bidirectional(new LSTM(2), mergeMode: null);
        var x = torch.randn(3, 4, 5);
        var hf = torch.randn(3, 2); var cf = torch.randn(3, 2); var hb = torch.randn(3, 2); var cb = torch.randn(3, 2);
        var outs = bi.ApplyMulti([x, hf, cf, hb, cb]);
        Assert.That(torch.allclose(outs[0], bi.ForwardLayer.ApplyMulti([x, hf, cf])[0], 1e-6, 1e-6), Is.True);
        Assert.That(torch.allclose(outs[1], bi.BackwardLayer.ApplyMulti([x, hb, cb])[0], 1e-6, 1e-6), Is.True);
        Assert.Throws<ArgumentException>(() => bi.ApplyMulti([x, hf, cf]));
    }

    [Test]
    public void CustomBackwardLayerIsUsedAndChecked()
    {
        var backward = new SimpleRNN(3, activation: "relu", goBackwards: true, name: "my_backward");
        var bi = new Bidirectional(new SimpleRNN(3), backwardLayer: backward);
        Assert.That(bi.BackwardLayer, Is.SameAs(backward));
        bi.Apply(Keras.Input([4, 2]));
        Assert.That(bi.Variables.Select(v => v.Owner.Name).Distinct(), Is.EqualTo(new[] { "forward_simple_rnn", "my_backward" }));
        Assert.That(Assert.Throws<ArgumentException>(() => new Bidirectional(new SimpleRNN(3), backwardLayer: new SimpleRNN(3)))!.ParamName,
            Is.EqualTo("backwardLayer"));
        Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(3), backwardLayer: new LSTM(3, goBackwards: true, returnSequences: true)));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new Bidirectional(new Dense(3)))!.ParamName, Is.EqualTo("layer"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(3), mergeMode: "max"))!.ParamName, Is.EqualTo("mergeMode"));
        var e = Assert.Throws<ArgumentException>(() => new Bidirectional(new LSTM(3), name: "bidi").Apply(Keras.Input([4])))!;
        Assert.That(e.Message, Does.Contain("(None, 4)"));
    }

    [Test]
    public void ConfigRoundTripGivesSameShapesAndParams()
    {
        var bi = new Bidirectional(new GRU(4, returnSequences: true), mergeMode: "ave", inputShape: [6, 3]);
        var y = bi.Apply(Keras.Input([6, 3]));
        var config = bi.GetConfig();
        Assert.That(config["merge_mode"], Is.EqualTo("ave"));
        var layer = (Dictionary<string, object?>)config["layer"]!;
        Assert.That(layer["class_name"], Is.EqualTo("GRU"));
        var inner = RecurrentTestUtils.FromConfig<GRU>((Dictionary<string, object?>)layer["config"]!, new() { ["name"] = "gru_x", ["goBackwards"] = false });
        var copy = new Bidirectional(inner, mergeMode: (string?)config["merge_mode"], inputShape: (int?[]?)config["input_shape"]);
        Assert.That(copy.Apply(Keras.Input([6, 3])).Shape, Is.EqualTo(y.Shape));
        Assert.That(copy.CountParams(), Is.EqualTo(bi.CountParams()));
        // and it can lead a Sequential with its inputShape
        var model = new Sequential(new Bidirectional(new LSTM(2), inputShape: [6, 3]), new Dense(1));
        Assert.That(model.OutputShape, Is.EqualTo(new int?[] { null, 1 }));
    }
}
