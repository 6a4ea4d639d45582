using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

/// <summary>A user cell as the RNNCell docs show it: h' = tanh(x·W + h·U), no bias.</summary>
internal sealed class MinimalTanhCell : RNNCell
{
    private KerasVariable? _w, _u;

    public MinimalTanhCell(int units, string? name = null) : base(name) => Units = units;

    public int Units { get; }

    public override int[] StateSize => [Units];

    public KerasVariable W => _w!;

    public KerasVariable U => _u!;

    public override void Build(int?[] inputShape)
    {
        _w = AddWeight("kernel", [inputShape[^1]!.Value, Units]);
        _u = AddWeight("recurrent_kernel", [Units, Units], "orthogonal");
    }

    public override (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training)
    {
        var h = torch.tanh(inputs.matmul(_w!.Value) + states[0].matmul(_u!.Value));
        return (h, [h]);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }
}

public class RNNTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(21);
    }

    private static Tensor PaddedMask() => torch.tensor(new[]
    {
        true, true, true, true, true,
        true, true, true, false, false,   // post-padded
        false, false, true, true, true,   // pre-padded
        true, false, true, false, true,   // gaps
    }).reshape(4, 5);

    private static void AssertSame(Tensor[] a, Tensor[] b, string what)
    {
        Assert.That(a.Length, Is.EqualTo(b.Length), what);
        for (int i = 0; i < a.Length; i++)
            Assert.That(torch.allclose(a[i], b[i], 1e-6, 1e-6), Is.True, $"{what}: output {i} differs by {(a[i] - b[i]).abs().max().item<float>()}");
    }

    [Test]
    public void RnnOverLSTMCellEqualsLSTMWithTheSameWeights()
    {
        var x = torch.randn(4, 5, 3);
        foreach (var backwards in new[] { false, true })
        {
            var lstm = new LSTM(6, returnSequences: true, returnState: true, goBackwards: backwards);
            var rnn = new RNN(new LSTMCell(6), returnSequences: true, returnState: true, goBackwards: backwards);
            lstm.Apply(x);
            rnn.Apply(x);
            Assert.That(rnn.CountParams(), Is.EqualTo(lstm.CountParams()));
            rnn.SetWeights(lstm.GetWeights());
            AssertSame(rnn.ApplyMulti([x]), lstm.ApplyMulti([x]), $"unmasked, goBackwards {backwards}");
            var mask = PaddedMask();
            AssertSame(rnn.CallMulti([x], false, [mask]), lstm.CallMulti([x], false, [mask]), $"masked, goBackwards {backwards}");
            var h0 = torch.randn(4, 6);
            var c0 = torch.randn(4, 6);
            AssertSame(rnn.ApplyMulti([x, h0, c0]), lstm.ApplyMulti([x, h0, c0]), "initial states");
        }
    }

    [Test]
    public void RnnOverGRUCellAndSimpleRNNCellEqualTheirLayers()
    {
        var x = torch.randn(4, 5, 3);
        var mask = PaddedMask();
        foreach (var resetAfter in new[] { true, false })
        {
            var gru = new GRU(5, returnSequences: true, returnState: true, resetAfter: resetAfter, biasInitializer: "random_normal");
            var rnn = new RNN(new GRUCell(5, resetAfter: resetAfter), returnSequences: true, returnState: true);
            gru.Apply(x);
            rnn.Apply(x);
            rnn.SetWeights(gru.GetWeights());
            AssertSame(rnn.ApplyMulti([x]), gru.ApplyMulti([x]), $"GRU resetAfter {resetAfter}");
            AssertSame(rnn.CallMulti([x], false, [mask]), gru.CallMulti([x], false, [mask]), $"masked GRU resetAfter {resetAfter}");
        }
        foreach (var activation in new[] { "tanh", "relu", "sigmoid" })
        {
            var simple = new SimpleRNN(4, activation: activation, returnSequences: true);
            var rnn = new RNN(new SimpleRNNCell(4, activation: activation), returnSequences: true);
            simple.Apply(x);
            rnn.Apply(x);
            rnn.SetWeights(simple.GetWeights());
            AssertSame([rnn.Apply(x)], [simple.Apply(x)], $"SimpleRNN {activation}");
        }
    }

    [Test]
    public void CellsHaveKerasDefaultsNamesAndWeights()
    {
        var cell = new LSTMCell(8);
        Assert.That(cell.StateSize, Is.EqualTo(new[] { 8, 8 }));
        Assert.That(cell.OutputSize, Is.EqualTo(8));
        Assert.That(new GRUCell(3).StateSize, Is.EqualTo(new[] { 3 }));
        Assert.That(new GRUCell(3).ResetAfter, Is.True);
        var rnn = new RNN(cell);
        rnn.Apply(Keras.Input([null, 5]));
        // the cell owns its weights: 5·32 + 8·32 + 32 = 448
        Assert.That(rnn.CountParams(), Is.EqualTo(448));
        Assert.That(cell.Variables.Select(v => v.Path), Is.EqualTo(new[] { $"{cell.Name}/kernel", $"{cell.Name}/recurrent_kernel", $"{cell.Name}/bias" }));
        // unit forget bias: the f block starts at one
        AssertClose(cell.Bias!.Value, [.. new double[8], .. Enumerable.Repeat(1.0, 8), .. new double[16]], 0, "bias");
        // LSTM keeps its weights as its own ("lstm/kernel"), as before it was built on a cell.
        var lstm = new LSTM(2, name: "my_lstm");
        lstm.Apply(Keras.Input([3, 4]));
        Assert.That(lstm.Variables.Select(v => v.Path), Is.EqualTo(new[] { "my_lstm/kernel", "my_lstm/recurrent_kernel", "my_lstm/bias" }));
        Assert.That(lstm.Cell, Is.InstanceOf<LSTMCell>());
        Assert.That(lstm.Cell.Name, Is.EqualTo("lstm_cell"));
    }

    [Test]
    public void CustomCellFollowsKerasLoopWithMasksInitialStatesAndGoBackwards()
    {
        var x = torch.randn(4, 5, 3);
        var mask = PaddedMask();
        foreach (var (backwards, zeroOutput) in new[] { (false, false), (true, false), (false, true) })
        {
            var cell = new MinimalTanhCell(2);
            var rnn = new RNN(cell, returnSequences: true, returnState: true, goBackwards: backwards, zeroOutputForMask: zeroOutput);
            var h0 = torch.randn(4, 2);
            rnn.ApplyMulti([x, h0]);
            var outs = rnn.CallMulti([x, h0], false, [mask]);
            var w = Matrix(cell.W.Value);
            var u = Matrix(cell.U.Value);
            CellStep step = (xt, s) =>
            {
                var h = new double[2];
                for (int j = 0; j < 2; j++)
                {
                    double z = 0;
                    for (int i = 0; i < 3; i++) z += xt[i] * w[i, j];
                    for (int i = 0; i < 2; i++) z += s[0][i] * u[i, j];
                    h[j] = Math.Tanh(z);
                }
                return (h, [h]);
            };
            var xs = Sequences(x);
            var m = Flat(mask.to(ScalarType.Float64));
            var h0s = Flat(h0);
            for (int b = 0; b < 4; b++)
            {
                var rowMask = Enumerable.Range(0, 5).Select(t => m[b * 5 + t] > 0).ToArray();
                var (seq, states) = RunSample(step, xs[b], [h0s[(b * 2)..(b * 2 + 2)]], rowMask, backwards, zeroOutput);
                AssertClose(outs[0][b], seq.SelectMany(v => v).ToArray(), 1e-5, $"sequence row {b}");
                AssertClose(outs[1][b], states[0], 1e-5, $"state row {b}");
            }
        }
    }

    [Test]
    public void MaskedFusedKernelsGiveTheLoopsValuesAndGradients()
    {
        // The fused masked path (gathered steps, saturated gates through the padding) against the per-step loop of the
        // same cell (a one-cell StackedRNNCells runs the generic loop), on post-, pre-padded, gapped and empty rows.
        var mask = torch.tensor(new[]
        {
            true, true, true, false, false, false,
            false, false, true, true, true, true,
            true, false, true, false, false, true,
            false, false, false, false, false, false,
        }).reshape(4, 6);
        foreach (var kind in new[] { "lstm", "gru", "rnn" })
        {
            RNNCell Make() => kind switch { "lstm" => new LSTMCell(3), "gru" => new GRUCell(3, biasInitializer: "random_normal"), _ => new SimpleRNNCell(3) };
            var fused = new RNN(Make(), returnSequences: true, returnState: true);
            var looped = new RNN(new StackedRNNCells([Make()]), returnSequences: true, returnState: true);
            var x = torch.randn(4, 6, 2);
            var states = kind == "lstm" ? new[] { torch.randn(4, 3), torch.randn(4, 3) } : [torch.randn(4, 3)];
            fused.ApplyMulti([x, .. states]);
            looped.ApplyMulti([x, .. states]);
            looped.SetWeights(fused.GetWeights());
            Tensor[] Run(RNN layer, Tensor xi)
            {
                var outs = layer.CallMulti([xi, .. states], true, [mask]);
                outs.Aggregate((a, b) => a.sum() + b.sum()).backward();
                return outs;
            }
            var xf = x.clone().requires_grad_(true);
            var xl = x.clone().requires_grad_(true);
            var a = Run(fused, xf);
            var b = Run(looped, xl);
            AssertSame(a, b, $"{kind} values");
            Assert.That(torch.allclose(xf.grad!, xl.grad!, 1e-5, 1e-6), Is.True, $"{kind}: input gradients");
            foreach (var (vf, vl) in fused.TrainableWeights.Zip(looped.TrainableWeights))
                Assert.That(torch.allclose(vf.Value.grad!, vl.Value.grad!, 1e-5, 1e-6), Is.True, $"{kind}: gradient of {vf.Name}");
        }
    }

    [Test]
    public void ShapesWithVariableTimestepsAndReturnState()
    {
        var input = Keras.Input([null, 7]);
        var outs = new RNN(new StackedRNNCells([new LSTMCell(4), new GRUCell(3)]), returnSequences: true, returnState: true).ApplyMulti(input);
        Assert.That(outs.Select(o => o.Shape), Is.EqualTo(new[] { new int?[] { null, null, 3 }, [null, 4], [null, 4], [null, 3] }));
        var last = new RNN(new SimpleRNNCell(16)).Apply(input);
        Assert.That(last.Shape, Is.EqualTo(new int?[] { null, 16 }));
    }

    [Test]
    public void StackedCellsEqualStackedLayers()
    {
        var x = torch.randn(3, 6, 4);
        var stacked = new RNN(new StackedRNNCells([new LSTMCell(5), new GRUCell(3)]), returnSequences: true, returnState: true);
        stacked.Apply(x);
        var first = new LSTM(5, returnSequences: true, returnState: true);
        var second = new GRU(3, returnSequences: true, returnState: true);
        var h1 = first.ApplyMulti([x]);
        second.Apply(h1[0]);
        // 4·20 + 5·20 + 20 = 200; 5·9 + 3·9 + 2·9 = 90
        Assert.That(stacked.CountParams(), Is.EqualTo(290));
        var w = stacked.GetWeights();
        first.SetWeights(w.Take(3));
        second.SetWeights(w.Skip(3));
        var a = first.ApplyMulti([x]);
        var b = second.ApplyMulti([a[0]]);
        AssertSame(stacked.ApplyMulti([x]), [b[0], a[1], a[2], b[1]], "stacked");
        var mask = torch.tensor(new[] { true, true, true, true, false, false, true, true, true, true, true, true, false, true, true, true, true, true }).reshape(3, 6);
        var sm = stacked.CallMulti([x], false, [mask]);
        var am = first.CallMulti([x], false, [mask]);
        var bm = second.CallMulti([am[0]], false, [mask]);
        AssertSame([sm[0][.., -1], sm[3]], [bm[0][.., -1], bm[1]], "stacked, masked");
    }

    [Test]
    public void SeedProgramTrainsFromAGeneratorWithVariableLengths()
    {
        // keras.Input((None, 3)) → RNN(SimpleRNNCell(16)) → Dense(1), SGD, MSE, fit on a generator with steps_per_epoch=1.
        var inputs = Keras.Input([null, 3]);
        var h = new RNN(new SimpleRNNCell(16)).Apply(inputs);
        var outputs = new Dense(1).Apply(h);
        var model = new Model(inputs, outputs);
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.05), loss: "mse");
        var history = model.Fit(Batches(), epochs: 40, verbose: 0, stepsPerEpoch: 1);
        var loss = history["loss"];
        Assert.That(loss.Count, Is.EqualTo(40));
        Assert.That(loss.Skip(32).Average(), Is.LessThan(0.5 * loss.Take(8).Average()), string.Join(", ", loss));

        static IEnumerable<Tensor[]> Batches()
        {
            // Target: the mean of the first feature over the sequence. Two batch lengths alternate (5 and 9 steps).
            // Fresh tensors on every pull: the trainer owns what it is given (see the report on generator ownership).
            var gen = new Generator(3, torch.CPU);
            for (int i = 0; ; i++)
            {
                var x = torch.rand([16, i % 2 == 0 ? 5 : 9, 3], generator: gen) * 2 - 1;
                yield return [x, x[.., .., 0].mean([1L]).unsqueeze(1)];
            }
        }
    }

    [Test]
    public void CustomCellTrains()
    {
        var model = new Sequential(new RNN(new MinimalTanhCell(8), inputShape: [6, 2]), new Dense(1));
        model.Compile(optimizer: "adam", loss: "mse");
        var gen = new Generator(4, torch.CPU);
        var x = torch.rand([64, 6, 2], generator: gen) * 2 - 1;
        var y = x[.., .., 1].sum([1L]).unsqueeze(1) * 0.3;
        model.Build([6, 2]);
        var cell = (MinimalTanhCell)((RNN)model.Layers[0]).Cell;
        var before = cell.U.Value.detach().clone();
        var history = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0);
        Assert.That(history["loss"][^1], Is.LessThan(0.5 * history["loss"][0]));
        Assert.That(torch.allclose(cell.U.Value, before), Is.False, "the cell's recurrent kernel is trained");
    }

    [Test]
    public void BidirectionalRunsOverRnnWithBuiltInAndCustomCells()
    {
        var x = torch.randn(2, 4, 3);
        var bi = new Bidirectional(new RNN(new LSTMCell(3), returnSequences: true));
        var y = bi.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 4, 6 }));
        Assert.That(bi.CountParams(), Is.EqualTo(2 * (3 * 12 + 3 * 12 + 12)));
        // the backward half equals an RNN with goBackwards over the same weights, flipped back to input order
        var back = new RNN(new LSTMCell(3), returnSequences: true, goBackwards: true);
        back.Apply(x);
        back.SetWeights(bi.BackwardLayer.GetWeights());
        Assert.That(torch.allclose(y[.., .., 3..], back.Apply(x).flip(1), 1e-6, 1e-6), Is.True);

        var custom = new Bidirectional(new RNN(new MinimalTanhCell(2)), mergeMode: "sum");
        Assert.That(custom.Apply(x).shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(custom.ForwardLayer.Cell, Is.InstanceOf<MinimalTanhCell>());
        Assert.That(custom.BackwardLayer.Cell, Is.Not.SameAs(custom.ForwardLayer.Cell));
        Assert.That(custom.CountParams(), Is.EqualTo(2 * (3 * 2 + 2 * 2)));
    }

    [Test]
    public void StatefulLayerContinuesSequencesUntilResetStates()
    {
        var x = torch.randn(3, 8, 2);
        var full = new LSTM(4, returnSequences: true);
        var stateful = new LSTM(4, returnSequences: true, stateful: true);
        full.Apply(x);
        stateful.Apply(x[.., ..4]);
        stateful.SetWeights(full.GetWeights());
        stateful.ResetStates();
        var a = stateful.Apply(x[.., ..4]);
        var b = stateful.Apply(x[.., 4..]);
        var whole = full.Apply(x);
        Assert.That(torch.allclose(torch.cat([a, b], 1), whole, 1e-5, 1e-5), Is.True, "two halves = the whole sequence");
        Assert.That(stateful.States, Has.Count.EqualTo(2));
        stateful.ResetStates();
        Assert.That(torch.allclose(stateful.Apply(x[.., 4..]), full.Apply(x[.., 4..]), 1e-6, 1e-6), Is.True, "after ResetStates: a fresh start");
        var e = Assert.Throws<ArgumentException>(() => stateful.Apply(torch.randn(5, 4, 2)))!;
        Assert.That(e.Message, Does.Contain("stateful").And.Contain("3").And.Contain("5"));
        Assert.Throws<InvalidOperationException>(() => full.ResetStates());
        Assert.That(stateful.GetConfig()["stateful"], Is.EqualTo(true));
    }

    [Test]
    public void StatefulBidirectionalKeepsBothDirectionsStatesUntilReset()
    {
        var x = torch.randn(2, 4, 3);
        var bi = new Bidirectional(new RNN(new SimpleRNNCell(2), stateful: true));
        var first = bi.Apply(x);
        var second = bi.Apply(x);
        Assert.That(torch.allclose(first, second), Is.False, "the second batch continues from the first one's states");
        Assert.That(bi.ForwardLayer.States, Is.Not.Null);
        Assert.That(bi.BackwardLayer.States, Is.Not.Null);
        bi.ResetStates();
        Assert.That(torch.allclose(bi.Apply(x), first, 1e-6, 1e-6), Is.True, "after ResetStates both directions start from zeros");
    }

    [Test]
    public void StatefulModelTrainsWithFitAndKeepsNoGraphAcrossBatches()
    {
        var model = new Sequential(new RNN(new GRUCell(4), stateful: true, inputShape: [5, 2]), new Dense(1));
        model.Compile(optimizer: "sgd", loss: "mse");
        var x = torch.randn(32, 5, 2);
        var y = torch.randn(32, 1);
        var history = model.Fit(x, y, batchSize: 8, epochs: 2, shuffle: false, verbose: 0);
        Assert.That(history["loss"].All(double.IsFinite), Is.True);
        var rnn = (RecurrentLayer)model.Layers[0];
        Assert.That(rnn.States![0].requires_grad, Is.False);
        Assert.That(rnn.States[0].shape, Is.EqualTo(new long[] { 8, 4 }));
    }

    [Test]
    public void BadCellsAndInputsThrowNamingTheProblem()
    {
        Assert.Throws<ArgumentNullException>(() => new RNN(null!));
        Assert.Throws<ArgumentException>(() => new StackedRNNCells([]));
        var rnn = new RNN(new MinimalTanhCell(2), name: "my_rnn");
        var e = Assert.Throws<ArgumentException>(() => rnn.Apply(Keras.Input([4])))!;
        Assert.That(e.Message, Does.Contain("my_rnn"));
        var wrongStates = new RNN(new WrongStateCell());
        var e2 = Assert.Throws<InvalidOperationException>(() => wrongStates.Apply(torch.randn(2, 3, 4)))!;
        Assert.That(e2.Message, Does.Contain("StateSize"));
        Assert.Throws<InvalidOperationException>(() => new LSTMCell(2).Call(torch.randn(2, 3), false));
        var cell = new LSTMCell(2);
        var (o, s) = cell.Call(torch.randn(5, 3), [torch.zeros(5, 2), torch.zeros(5, 2)], false);
        Assert.That(o.shape, Is.EqualTo(new long[] { 5, 2 }));
        Assert.That(s.Length, Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => cell.Call(torch.randn(5, 3), [torch.zeros(5, 2)], false));
    }

    private sealed class WrongStateCell : RNNCell
    {
        public override int[] StateSize => [3];

        public override (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training)
            => (states[0], [states[0], states[0]]);
    }
}
