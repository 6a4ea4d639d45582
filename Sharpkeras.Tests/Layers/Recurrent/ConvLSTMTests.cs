using NUnit.Framework;
using PureHDF;
using TorchSharp;
using Sharpkeras.Initializers;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersConv.LayerTestUtils;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

public class ConvLSTMTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(5);
    }

    // ------------------------------------------------------------------------------------------ reference

    /// <summary>
    /// Keras's ConvLSTM written out with torch's own convolutions, one timestep at a time, from Keras-layout weights:
    /// z = conv(x_t, kernel, strides, padding) + bias + conv(h, recurrent_kernel, stride 1, "same"), gates i, f, c, o.
    /// Channels_last tensors; "same" here only for stride 1 and odd kernels (symmetric padding k / 2).
    /// Returns the output sequence (processing order) and the final h and c.
    /// </summary>
    private static (Tensor sequence, Tensor h, Tensor c) Reference(Tensor x, Tensor kernel, Tensor recurrent, Tensor? bias, int rank,
        long[] strides, bool same, bool[,]? mask = null, bool goBackwards = false)
    {
        Tensor Conv(Tensor input, Tensor w, long[] s, bool pad)
        {
            var inp = input.permute([0, rank + 1, .. Enumerable.Range(1, rank).Select(i => (long)i)]);            // → channels first
            var wt = w.permute([rank + 1, rank, .. Enumerable.Range(0, rank).Select(i => (long)i)]);               // (*k, in, out) → (out, in, *k)
            long[] p = pad ? w.shape[..rank].Select(k => k / 2).ToArray() : new long[rank];
            var y = rank switch
            {
                1 => nn.functional.conv1d(inp, wt, null, s[0], p[0]),
                2 => nn.functional.conv2d(inp, wt, null, s, p),
                _ => nn.functional.conv3d(inp, wt, null, s, p),
            };
            return y.permute([0, .. Enumerable.Range(2, rank).Select(i => (long)i), 1]);                            // → channels last
        }
        long batch = x.shape[0], steps = x.shape[1];
        int filters = (int)recurrent.shape[^2];
        Tensor? h = null, c = null, previous = null;
        var outputs = new List<Tensor>();
        for (long k = 0; k < steps; k++)
        {
            long t = goBackwards ? steps - 1 - k : k;
            var zx = Conv(x[.., t], kernel, strides, same);
            if (bias is not null) zx = zx + bias;
            h ??= torch.zeros_like(zx.narrow(-1, 0, filters));
            c ??= torch.zeros_like(h);
            previous ??= torch.zeros_like(h);
            var z = zx + Conv(h, recurrent, Enumerable.Repeat(1L, rank).ToArray(), true);
            var g = z.chunk(4, -1);
            var cNew = torch.sigmoid(g[1]) * c + torch.sigmoid(g[0]) * torch.tanh(g[2]);
            var hNew = torch.sigmoid(g[3]) * torch.tanh(cNew);
            if (mask is not null)
            {
                var m = torch.tensor(Enumerable.Range(0, (int)batch).Select(b => mask[b, t]).ToArray())
                    .view([batch, .. Enumerable.Repeat(1L, rank + 1)]);
                hNew = torch.where(m, hNew, h);
                cNew = torch.where(m, cNew, c);
                outputs.Add(torch.where(m, hNew, previous));
            }
            else outputs.Add(hNew);
            previous = outputs[^1];
            h = hNew;
            c = cNew;
        }
        return (torch.stack(outputs, 1), h!, c!);
    }

    private static void AssertNear(Tensor actual, Tensor expected, string what, double tol = 1e-5)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), what + ": shape");
        double diff = (actual - expected).abs().max().item<float>();
        Assert.That(diff, Is.LessThan(tol), $"{what}: max difference {diff}");
    }

    // ------------------------------------------------------------------------------------------ numerics

    [Test]
    public void OneAndTwoStepsMatchValuesComputedByHand()
    {
        // 2×2 image, one channel, values 1..4, filters 1, 3×3 kernel "same": every output pixel's window covers the
        // whole image, so with kernel 0.1 each gate's input part is 0.1·(1+2+3+4) = 1; unit forget bias: b = [0, 1, 0, 0].
        var layer = new ConvLSTM2D(1, 3, padding: "same", kernelInitializer: new Constant(0.1), recurrentInitializer: new Constant(0.2),
            returnSequences: true, returnState: true);
        var x = torch.cat([T([1f, 2, 3, 4], 1, 1, 2, 2, 1), torch.zeros([1, 1, 2, 2, 1])], 1);   // step 2: zero input
        var outs = layer.ApplyMulti([x]);
        double c1 = Sigmoid(1) * Math.Tanh(1);           // σ(z_f)·0 + σ(z_i)·tanh(z_c)
        double h1 = Sigmoid(1) * Math.Tanh(c1);
        // Step 2: the recurrent 3×3 "same" conv of a constant 2×2 map sums all 4 pixels: 4·0.2·h1 per gate.
        double r = 0.8 * h1;
        double c2 = Sigmoid(r + 1) * c1 + Sigmoid(r) * Math.Tanh(r);
        double h2 = Sigmoid(r) * Math.Tanh(c2);
        AssertClose(outs[0], [h1, h1, h1, h1, h2, h2, h2, h2], 1e-6, "sequence");
        AssertClose(outs[1], [h2, h2, h2, h2], 1e-6, "h");
        AssertClose(outs[2], [c2, c2, c2, c2], 1e-6, "c");
        Assert.That(outs[0].shape, Is.EqualTo(new long[] { 1, 2, 2, 2, 1 }));
    }

    [Test]
    public void MatchesKerasPublishedValues()
    {
        // keras/src/layers/rnn/conv_lstm2d_test.py (test_correctness): Keras's own output for these constants.
        var x = torch.arange(480, dtype: ScalarType.Float32).reshape(2, 3, 4, 4, 5) / 100;
        var layer = new ConvLSTM2D(2, 3, kernelInitializer: new Constant(0.01), recurrentInitializer: new Constant(0.02),
            biasInitializer: new Constant(0.03));
        AssertClose(layer.Apply(x), [
            0.48694518, 0.48694518, 0.50237733, 0.50237733, 0.5461202, 0.5461202, 0.5598283, 0.5598283,
            0.8661607, 0.8661607, 0.86909103, 0.86909103, 0.8774414, 0.8774414, 0.8800861, 0.8800861,
        ], 1e-5, "Keras ConvLSTM2D");
    }

    [Test]
    public void EqualsHandUnrolledTorchConvolutions()
    {
        var x = torch.randn([2, 4, 7, 6, 3]);
        foreach (var (strides, padding, backwards) in new[] { (1, "same", false), (2, "valid", false), (1, "valid", true) })
        {
            var layer = new ConvLSTM2D(4, (3, 3), strides: strides, padding: padding, goBackwards: backwards, returnSequences: true, returnState: true);
            layer.Apply(x);
            foreach (var v in layer.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
            var w = layer.GetWeights();
            var outs = layer.ApplyMulti([x]);
            var (seq, h, c) = Reference(x, w[0], w[1], w[2], 2, [strides, strides], padding == "same", goBackwards: backwards);
            string what = $"strides {strides}, {padding}, goBackwards {backwards}";
            AssertNear(outs[0], seq, what + " sequence");
            AssertNear(outs[1], h, what + " h");
            AssertNear(outs[2], c, what + " c");
        }
    }

    [Test]
    public void OneAndThreeDimensionalVersionsEqualTheReference()
    {
        var x1 = torch.randn([3, 5, 9, 2]);
        var l1 = new ConvLSTM1D(3, 3, padding: "same", returnSequences: true);
        l1.Apply(x1);
        foreach (var v in l1.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
        var w1 = l1.GetWeights();
        AssertNear(l1.Apply(x1), Reference(x1, w1[0], w1[1], w1[2], 1, [1], true).sequence, "ConvLSTM1D");

        var x3 = torch.randn([2, 3, 4, 5, 4, 2]);
        var l3 = new ConvLSTM3D(2, 3, useBias: false);
        l3.Apply(x3);
        foreach (var v in l3.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
        var w3 = l3.GetWeights();
        Assert.That(w3, Has.Count.EqualTo(2), "no bias");
        AssertNear(l3.Apply(x3), Reference(x3, w3[0], w3[1], null, 3, [1, 1, 1], false).h, "ConvLSTM3D");
    }

    [Test]
    public void ChannelsFirstIsChannelsLastTransposed()
    {
        var x = torch.randn([2, 3, 5, 5, 2]);
        var last = new ConvLSTM2D(3, 3, padding: "same", returnSequences: true);
        var first = new ConvLSTM2D(3, 3, padding: "same", returnSequences: true, dataFormat: "channels_first");
        last.Apply(x);
        first.Apply(x.permute(0, 1, 4, 2, 3));
        first.SetWeights(last.GetWeights());
        AssertNear(first.Apply(x.permute(0, 1, 4, 2, 3)), last.Apply(x).permute(0, 1, 4, 2, 3), "channels_first");
        Assert.That(first.ComputeOutputShape([null, 3, 2, 5, 5]), Is.EqualTo(new int?[] { null, 3, 3, 5, 5 }));
    }

    [Test]
    public void MaskedStepsKeepTheStatesAndRepeatTheOutput()
    {
        var x = torch.randn([3, 5, 4, 4, 2]);
        bool[,] mask = { { true, true, true, true, true }, { true, true, true, false, false }, { false, true, false, true, true } };
        var m = torch.tensor(new[] { true, true, true, true, true, true, true, true, false, false, false, true, false, true, true }).reshape(3, 5);
        var layer = new ConvLSTM2D(2, 3, padding: "same", returnSequences: true, returnState: true);
        layer.Apply(x);
        foreach (var v in layer.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
        var w = layer.GetWeights();
        var outs = layer.CallMulti([x], false, [m]);
        var (seq, h, c) = Reference(x, w[0], w[1], w[2], 2, [1, 1], true, mask);
        AssertNear(outs[0], seq, "masked sequence");
        AssertNear(outs[1], h, "masked h");
        AssertNear(outs[2], c, "masked c");
        Assert.That(Same(layer.ComputeMask(x, m)!, m), Is.True, "returnSequences keeps the timestep mask");

        // Through a model: Masking on the flattened frames is not available, so feed the mask by hand as above;
        // with zeroOutputForMask masked steps output zeros.
        var zeros = new ConvLSTM2D(2, 3, padding: "same", returnSequences: true, zeroOutputForMask: true);
        zeros.Apply(x);
        zeros.SetWeights(w);
        var z = zeros.Call(x, false, m);
        Assert.That(z[1, 3].abs().sum().item<float>(), Is.EqualTo(0f));
        AssertNear(z[0], seq[0], "unmasked row unchanged");
    }

    [Test]
    public void RnnOverConvLSTMCellEqualsTheLayerAndTheCellRunsOneStep()
    {
        var x = torch.randn([2, 3, 5, 5, 2]);
        var layer = new ConvLSTM2D(3, 3, returnState: true);
        var rnn = new RNN(new ConvLSTMCell(2, 3, 3), returnState: true);
        layer.Apply(x);
        rnn.Apply(x);
        Assert.That(rnn.CountParams(), Is.EqualTo(layer.CountParams()));
        rnn.SetWeights(layer.GetWeights());
        var a = layer.ApplyMulti([x]);
        var b = rnn.ApplyMulti([x]);
        for (int i = 0; i < 3; i++) AssertNear(b[i], a[i], $"output {i}", 1e-6);

        // The cell alone: one step from given states.
        var cell = new ConvLSTMCell(2, 3, 3, padding: "same");
        var (o, s) = cell.Call(x[.., 0], [torch.zeros([2, 5, 5, 3]), torch.zeros([2, 5, 5, 3])], false);
        Assert.That(o.shape, Is.EqualTo(new long[] { 2, 5, 5, 3 }));
        Assert.That(s, Has.Length.EqualTo(2));
        Assert.Throws<ArgumentException>(() => cell.Call(x[.., 0], [torch.zeros(2, 3), torch.zeros(2, 3)], false));
    }

    [Test]
    public void InitialStatesStatefulAndResetStates()
    {
        var x = torch.randn([2, 6, 4, 4, 1]);
        var full = new ConvLSTM2D(2, 3, padding: "same", returnSequences: true);
        var stateful = new ConvLSTM2D(2, 3, padding: "same", returnSequences: true, stateful: true);
        full.Apply(x);
        stateful.Apply(x[.., ..3]);
        stateful.SetWeights(full.GetWeights());
        stateful.ResetStates();
        var a = stateful.Apply(x[.., ..3]);
        var b = stateful.Apply(x[.., 3..]);
        AssertNear(torch.cat([a, b], 1), full.Apply(x), "two halves = the whole sequence");
        Assert.That(stateful.States![0].shape, Is.EqualTo(new long[] { 2, 4, 4, 2 }));
        stateful.ResetStates();
        AssertNear(stateful.Apply(x[.., 3..]), full.Apply(x[.., 3..]), "after ResetStates: a fresh start", 1e-6);

        // Initial states [x, h0, c0]: the second half from the first half's final states.
        var withState = new ConvLSTM2D(2, 3, padding: "same", returnSequences: true, returnState: true);
        withState.Apply(x);
        withState.SetWeights(full.GetWeights());
        var first = withState.ApplyMulti([x[.., ..3]]);
        var second = withState.ApplyMulti([x[.., 3..], first[1], first[2]]);
        AssertNear(second[0], full.Apply(x)[.., 3..], "initial states continue the sequence");
        var e = Assert.Throws<ArgumentException>(() => withState.ApplyMulti([x, torch.zeros(2, 2), torch.zeros(2, 2)]))!;
        Assert.That(e.Message, Does.Contain("(2, 4, 4, 2)"));
    }

    [Test]
    public void DropoutDrawsMasksOfTheInputsShapeOnlyWhileTraining()
    {
        var x = torch.randn([2, 3, 4, 4, 2]);
        var layer = new ConvLSTM2D(2, 3, dropout: 0.5, recurrentDropout: 0.5, seed: 3);
        var plain = new ConvLSTM2D(2, 3);
        layer.Apply(x);
        plain.Apply(x);
        plain.SetWeights(layer.GetWeights());
        AssertNear(layer.Apply(x), plain.Apply(x), "inference ignores dropout", 1e-6);
        var trained = layer.Apply(x, training: true);
        Assert.That(trained.shape, Is.EqualTo(new long[] { 2, 2, 2, 2 }));
        Assert.That(torch.allclose(trained, plain.Apply(x)), Is.False, "training drops");
        AssertGradientReachesEveryTrainableWeight(layer, x);
    }

    [Test]
    public void TrainsOnAMovingPixel()
    {
        // A pixel moves one column right per frame on a 6×6 grid; the model sees 4 frames and predicts the 5th.
        int n = 48, steps = 4, size = 6;
        var x = torch.zeros([n, steps, size, size, 1]);
        var y = torch.zeros([n, size, size, 1]);
        var g = new Random(3);
        for (int i = 0; i < n; i++)
        {
            int row = g.Next(size), col = g.Next(size - steps);
            for (int t = 0; t < steps; t++) x[i, t, row, col + t, 0] = torch.tensor(1f);
            y[i, row, col + steps, 0] = torch.tensor(1f);
        }
        var model = new Sequential(
            new ConvLSTM2D(6, 3, padding: "same", inputShape: [steps, size, size, 1]),
            new Conv2D(1, 3, padding: "same", activation: "sigmoid"));
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.02), loss: "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 16, epochs: 12, shuffle: false, verbose: 0);
        var loss = history["loss"];
        TestContext.Out.WriteLine($"moving pixel: loss {loss[0]:F4} → {loss[^1]:F4} in {loss.Count} epochs");
        Assert.That(loss.All(double.IsFinite), Is.True);
        Assert.That(loss[^1], Is.LessThan(0.5 * loss[0]), $"loss {loss[0]:F4} → {loss[^1]:F4}");
    }

    // ------------------------------------------------------------------------------------------ shapes, counts, config

    [Test]
    public void ParameterCountsFollowKerasDefinition()
    {
        // 4·filters·(k·k·in) + 4·filters·(k·k·filters) + 4·filters.
        var m2 = new Sequential(new ConvLSTM2D(64, 3, inputShape: [10, 40, 40, 1]));
        Assert.That(m2.CountParams(), Is.EqualTo(4 * 64 * (3 * 3 * 1) + 4 * 64 * (3 * 3 * 64) + 4 * 64).And.EqualTo(150_016));
        Assert.That(m2.Layers[0].GetWeights().Select(w => w.shape), Is.EqualTo(new[] { new long[] { 3, 3, 1, 256 }, [3, 3, 64, 256], [256] }));
        var m1 = new Sequential(new ConvLSTM1D(8, 3, inputShape: [5, 20, 2]));
        Assert.That(m1.CountParams(), Is.EqualTo(4 * 8 * (3 * 2) + 4 * 8 * (3 * 8) + 4 * 8));
        var m3 = new Sequential(new ConvLSTM3D(2, 2, inputShape: [3, 4, 4, 4, 1]));
        Assert.That(m3.CountParams(), Is.EqualTo(4 * 2 * (8 * 1) + 4 * 2 * (8 * 2) + 4 * 2));
        // unit forget bias: the forget block of the bias starts at ones, the others at the bias initializer (zeros).
        var bias = m2.Layers[0].GetWeights()[2];
        AssertClose(bias[64..128], Enumerable.Repeat(1.0, 64).ToArray(), 0, "forget block");
        Assert.That(bias[..64].abs().sum().item<float>() + bias[128..].abs().sum().item<float>(), Is.EqualTo(0f));
    }

    [Test]
    public void OutputShapesForReturnSequencesAndReturnStateAndSummary()
    {
        var input = Keras.Input([10, 40, 40, 1]);
        var seq = new ConvLSTM2D(8, 3, returnSequences: true).Apply(input);
        Assert.That(seq.Shape, Is.EqualTo(new int?[] { null, 10, 38, 38, 8 }));
        var outs = new ConvLSTM2D(4, 3, strides: 2, padding: "same", returnState: true).ApplyMulti(seq);
        Assert.That(outs.Select(t => t.Shape), Is.EqualTo(new[] { new int?[] { null, 19, 19, 4 }, [null, 19, 19, 4], [null, 19, 19, 4] }));
        var layer = new ConvLSTM2D(4, 3, strides: 2, padding: "same", returnState: true);
        var shapes = layer.ComputeOutputShapes([[null, 10, 38, 38, 8]], [ScalarType.Float32]).Select(s => s.shape).ToArray();
        Assert.That(shapes, Is.EqualTo(new[] { new int?[] { null, 19, 19, 4 }, [null, 19, 19, 4], [null, 19, 19, 4] }));
        Assert.That(new ConvLSTM2D(4, 3, returnSequences: true).ComputeOutputShape([null, null, 9, 9, 2]),
            Is.EqualTo(new int?[] { null, null, 7, 7, 4 }), "variable number of timesteps");
        Assert.That(new ConvLSTM1D(4, 2, dilationRate: 2).ComputeOutputShape([null, 3, 9, 2]), Is.EqualTo(new int?[] { null, 7, 4 }));

        var model = new Model(input, outs[0]);
        var lines = new List<string>();
        model.Summary(printFn: lines.Add);
        string text = string.Join("\n", lines);
        Assert.That(text, Does.Contain("ConvLSTM2D").And.Contain("(None, 10, 38, 38, 8)").And.Contain("(None, 19, 19, 4)"));
    }

    [Test]
    public void ConfigRoundTripsWithRegularizersAndConstraints()
    {
        var layer = new ConvLSTM2D(3, (3, 2), strides: (1, 2), padding: "same", dataFormat: "channels_last", activation: "relu",
            recurrentActivation: "hard_sigmoid", kernelInitializer: "he_normal", kernelRegularizer: "l2", recurrentRegularizer: "l1",
            biasConstraint: "non_neg", activityRegularizer: "l1", unitForgetBias: false, dropout: 0.1, recurrentDropout: 0.2, seed: 4,
            returnSequences: true, goBackwards: true);
        var c = layer.GetConfig();
        Assert.That(c["filters"], Is.EqualTo(3));
        Assert.That(c["kernel_size"], Is.EqualTo(new[] { 3, 2 }));
        Assert.That(c["strides"], Is.EqualTo(new[] { 1, 2 }));
        Assert.That(c["recurrent_activation"], Is.EqualTo("hard_sigmoid"));
        Assert.That(c["kernel_regularizer"], Is.EqualTo("l2"));
        Assert.That(c["recurrent_regularizer"], Is.EqualTo("l1"));
        Assert.That(c["bias_constraint"], Is.EqualTo("non_neg"));
        Assert.That(c["unit_forget_bias"], Is.EqualTo(false));
        Assert.That(c.ContainsKey("cell"), Is.False);
        Assert.That(c.ContainsKey("units"), Is.False);
        var copy = (ConvLSTM2D)AssertConfigRoundTrip(layer, [null, 3, 6, 6, 2]);
        Assert.That(copy.KernelRegularizer, Is.Not.Null);
        Assert.That(copy.GoBackwards, Is.True);
        AssertConfigRoundTrip(new ConvLSTM1D(2, 3, dataFormat: "channels_first"), [null, 4, 2, 7]);
        AssertConfigRoundTrip(new ConvLSTM3D(2, 2, padding: "same"), [null, 2, 3, 3, 3, 1]);
        // RNN over the cell: the cell's config carries its rank.
        var rnn = new RNN(new ConvLSTMCell(2, 2, 3, strides: 2, padding: "same"));
        var rebuilt = (RNN)Sharpkeras.Saving.Serialization.LayerFromConfig(typeof(RNN), rnn.GetConfig());
        Assert.That(rebuilt.Cell, Is.InstanceOf<ConvLSTMCell>());
        Assert.That(rebuilt.Cell.GetConfig()["rank"], Is.EqualTo(2));
        Assert.That(rebuilt.ComputeOutputShape([null, 3, 5, 5, 1]), Is.EqualTo(new int?[] { null, 3, 3, 2 }));
    }

    [Test]
    public void BidirectionalConvLSTM()
    {
        var x = torch.randn([2, 3, 5, 5, 2]);
        var bi = new Bidirectional(new ConvLSTM2D(3, 3, padding: "same", returnSequences: true));
        var y = bi.Apply(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 5, 5, 6 }));
        Assert.That(bi.ForwardLayer, Is.InstanceOf<ConvLSTM2D>());
        Assert.That(bi.BackwardLayer.GoBackwards, Is.True);
        var back = new ConvLSTM2D(3, 3, padding: "same", returnSequences: true, goBackwards: true);
        back.Apply(x);
        back.SetWeights(bi.BackwardLayer.GetWeights());
        AssertNear(y[.., .., .., .., 3..], back.Apply(x).flip(1), "backward half");
    }

    [Test]
    public void SavesToKerasFormatWithKerasWeightLayout()
    {
        var dir = Sharpkeras.Tests.Saving.SavingTestUtil.TempDir();
        try
        {
            var input = Keras.Input([3, 6, 6, 2]);
            var h = new ConvLSTM2D(4, 3, padding: "same", kernelRegularizer: "l2").Apply(input);
            var model = new Model(input, new GlobalAveragePooling2D().Apply(h));
            foreach (var v in model.Variables) v.Assign(torch.randn(v.KerasShape) * 0.3);
            var path = Path.Combine(dir, "convlstm.keras");
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.That(loaded.Layers.OfType<ConvLSTM2D>().Single().KernelRegularizer, Is.Not.Null);
            var x = torch.randn([2, 3, 6, 6, 2]);
            AssertNear(loaded.Predict(x, verbose: 0), model.Predict(x, verbose: 0), "reloaded", 1e-6);

            var entries = Sharpkeras.Tests.Saving.SavingTestUtil.ReadZip(path).ToDictionary(e => e.Name, e => e.Data);
            using var h5 = H5File.Open(new MemoryStream(entries["model.weights.h5"]), leaveOpen: false);
            Assert.That(h5.Dataset("layers/conv_lstm2d/cell/vars/0").Space.Dimensions, Is.EqualTo(new ulong[] { 3, 3, 2, 16 }), "kernel");
            Assert.That(h5.Dataset("layers/conv_lstm2d/cell/vars/1").Space.Dimensions, Is.EqualTo(new ulong[] { 3, 3, 4, 16 }), "recurrent_kernel");
            Assert.That(h5.Dataset("layers/conv_lstm2d/cell/vars/2").Space.Dimensions, Is.EqualTo(new ulong[] { 16 }), "bias");
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Test]
    public void OnnxExportSaysConvLSTMIsNotExportable()
    {
        var input = Keras.Input([3, 4, 4, 1]);
        var model = new Model(input, new ConvLSTM2D(2, 3).Apply(input));
        var path = Path.Combine(Path.GetTempPath(), $"convlstm_{Guid.NewGuid():N}.onnx");
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path))!;
        Assert.That(e.Message, Does.Contain("not exportable").And.Contain("ConvLSTM2D"));
    }

    [Test]
    public void BadArgumentsAndInputsThrowNamingTheProblem()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ConvLSTM2D(0, 3))!.ParamName, Is.EqualTo("filters"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ConvLSTM2D(2, 3, strides: 2, dilationRate: 2))!.ParamName, Is.EqualTo("dilationRate"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ConvLSTM2D(2, (3, 3, 3)))!.ParamName, Is.EqualTo("kernelSize"));
        Assert.That(Assert.Throws<ArgumentException>(() => new ConvLSTM2D(2, 3, padding: "causal"))!.ParamName, Is.EqualTo("padding"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvLSTM2D(2, 3, dropout: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvLSTMCell(4, 2, 3));
        var layer = new ConvLSTM2D(2, 3, name: "clstm");
        var e = Assert.Throws<ArgumentException>(() => layer.Apply(Keras.Input([3, 8, 8])))!;
        Assert.That(e.Message, Does.Contain("clstm").And.Contain("rank 5"));
        var unknown = Assert.Throws<ArgumentException>(() => new ConvLSTM2D(2, 3).Apply(Keras.Input([3, null, 8, 1])))!;
        Assert.That(unknown.Message, Does.Contain("spatial"));
        var tooSmall = Assert.Throws<ArgumentException>(() => new ConvLSTM2D(2, 5).Apply(Keras.Input([3, 4, 4, 1])))!;
        Assert.That(tooSmall.Message, Does.Contain("does not fit"));
    }
}
