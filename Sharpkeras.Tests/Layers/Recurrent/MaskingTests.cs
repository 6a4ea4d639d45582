using NUnit.Framework;
using TorchSharp;
using Sharpkeras.Layers;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersRecurrent.RecurrentTestUtils;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersRecurrent;

/// <summary>
/// Keras masking semantics (keras/src/backend/*/rnn.py): a masked step keeps the states and outputs the previous
/// output (zeros before the first unmasked step); with zero_output_for_mask it outputs zeros.
/// </summary>
public class MaskingTests
{
    [SetUp]
    public void Setup()
    {
        Keras.ClearSession();
        Keras.Config.Seed(3);
    }

    private static Tensor Ids(params long[][] rows) => torch.tensor(rows.SelectMany(r => r).ToArray()).reshape(rows.Length, rows[0].Length);

    [Test]
    public void PostPaddedSequenceGivesTheSameLastOutputAsUnpadded()
    {
        var embedding = new Embedding(10, 4, maskZero: true, inputShape: [null]);
        var lstm = new LSTM(3);
        var model = new Sequential(embedding, lstm);
        var unpadded = model.Apply(Ids([5, 3, 7]));
        var padded = model.Apply(Ids([5, 3, 7, 0, 0]));
        Assert.That(torch.allclose(unpadded, padded, 0, 1e-6), Is.True, "post-padding must not change the result");
        // without the mask the padding steps do change it (the test would catch a mask that is dropped)
        var noMask = new Sequential(new Embedding(10, 4, name: "plain_embedding", inputShape: [null]), new LSTM(3, name: "plain_lstm"));
        noMask.Apply(Ids([5]));
        noMask.SetWeights(model.GetWeights());
        Assert.That(torch.allclose(noMask.Apply(Ids([5, 3, 7])), unpadded, 0, 1e-6), Is.True);
        Assert.That(torch.allclose(noMask.Apply(Ids([5, 3, 7, 0, 0])), unpadded, 0, 1e-4), Is.False);
    }

    [Test]
    public void ReturnSequencesCarriesTheLastOutputOverMaskedStepsAndZerosBeforeTheFirst()
    {
        var model = new Sequential(new Embedding(10, 4, maskZero: true, inputShape: [null]), new LSTM(3, returnSequences: true));
        var reference = model.Apply(Ids([5, 3, 7]));                // (1, 3, 3)
        var post = model.Apply(Ids([5, 3, 7, 0, 0]));               // steps 3, 4 repeat step 2 (Keras default)
        Assert.That(torch.allclose(post[.., ..3], reference, 0, 1e-6), Is.True);
        Assert.That(torch.allclose(post[.., 3], reference[.., 2], 0, 1e-6), Is.True);
        Assert.That(torch.allclose(post[.., 4], reference[.., 2], 0, 1e-6), Is.True);
        var pre = model.Apply(Ids([0, 0, 5, 3, 7]));                // steps 0, 1: zeros (nothing seen yet)
        Assert.That(pre[.., ..2].abs().max().item<float>(), Is.EqualTo(0f));
        Assert.That(torch.allclose(pre[.., 2..], reference, 0, 1e-6), Is.True);
        var gaps = model.Apply(Ids([5, 0, 3, 0, 7]));               // a gap repeats the previous output
        Assert.That(torch.allclose(gaps[.., 0], reference[.., 0], 0, 1e-6), Is.True);
        Assert.That(torch.allclose(gaps[.., 1], reference[.., 0], 0, 1e-6), Is.True);
        Assert.That(torch.allclose(gaps[.., 4], reference[.., 2], 0, 1e-6), Is.True);
    }

    [Test]
    public void MixedLengthBatchEqualsEachRowAlone()
    {
        var model = new Sequential(new Embedding(10, 4, maskZero: true, inputShape: [null]), new GRU(3));
        var batch = model.Apply(Ids([5, 3, 7, 0, 0], [2, 0, 0, 0, 0], [1, 2, 3, 4, 5], [0, 0, 0, 9, 8]));
        long[][] alone = [[5, 3, 7], [2], [1, 2, 3, 4, 5], [9, 8]];
        for (int i = 0; i < alone.Length; i++)
            Assert.That(torch.allclose(batch[i], model.Apply(Ids(alone[i]))[0], 0, 1e-6), Is.True, $"row {i}");
    }

    [Test]
    public void FusedPackedPathMatchesKerasLoopForAnyMaskPattern()
    {
        const int B = 5, T = 6, D = 3, U = 4;
        var x = torch.randn(B, T, D);
        var h0 = torch.randn(B, U) * 0.5;
        var c0 = torch.randn(B, U) * 0.5;
        bool[][] pattern =
        [
            [true, true, true, false, false, false],  // post-padded
            [false, false, true, true, true, true],   // pre-padded
            [true, false, true, false, false, true],  // gaps
            [false, false, false, false, false, false], // nothing: output zeros, states stay initial
            [true, true, true, true, true, true],
        ];
        var mask = torch.tensor(pattern.SelectMany(r => r).ToArray()).reshape(B, T);
        var xs = Sequences(x);
        var h0s = Sequences(h0.unsqueeze(1)); var c0s = Sequences(c0.unsqueeze(1));
        foreach (bool back in new[] { false, true })
        foreach (bool zero in new[] { false, true })
        foreach (bool inference in new[] { false, true })
        {
            string what = $"goBackwards {back}, zeroOutputForMask {zero}, no_grad {inference}";
            var lstm = new LSTM(U, returnSequences: true, returnState: true, goBackwards: back, zeroOutputForMask: zero, biasInitializer: "random_normal");
            lstm.Apply(x);
            Tensor[] outs;
            using (torch.set_grad_enabled(!inference)) outs = lstm.CallMulti([x, h0, c0], false, [mask]);
            var lcell = LstmCell(Matrix(lstm.Kernel.Value), Matrix(lstm.RecurrentKernel.Value), Flat(lstm.Bias!.Value));
            var seq = new List<double>(); var hs = new List<double>(); var cs = new List<double>();
            for (int n = 0; n < B; n++)
            {
                var (s, st) = RunSample(lcell, xs[n], [h0s[n][0], c0s[n][0]], pattern[n], back, zero);
                seq.AddRange(s.SelectMany(v => v)); hs.AddRange(st[0]); cs.AddRange(st[1]);
            }
            AssertClose(outs[0], seq.ToArray(), 1e-5, "LSTM sequence, " + what);
            AssertClose(outs[1], hs.ToArray(), 1e-5, "LSTM h, " + what);
            AssertClose(outs[2], cs.ToArray(), 1e-5, "LSTM c, " + what);

            var gru = new GRU(U, returnSequences: true, returnState: true, goBackwards: back, zeroOutputForMask: zero, biasInitializer: "random_normal");
            gru.Apply(x);
            using (torch.set_grad_enabled(!inference)) outs = gru.CallMulti([x, h0], false, [mask]);
            var gcell = GruCell(Matrix(gru.Kernel.Value), Matrix(gru.RecurrentKernel.Value), Matrix(gru.Bias!.Value));
            seq.Clear(); hs.Clear();
            for (int n = 0; n < B; n++)
            {
                var (s, st) = RunSample(gcell, xs[n], [h0s[n][0]], pattern[n], back, zero);
                seq.AddRange(s.SelectMany(v => v)); hs.AddRange(st[0]);
            }
            AssertClose(outs[0], seq.ToArray(), 1e-5, "GRU sequence, " + what);
            AssertClose(outs[1], hs.ToArray(), 1e-5, "GRU h, " + what);
        }
    }

    [Test]
    public void PerStepLoopPathFollowsTheSameMaskSemantics()
    {
        // selu cannot use a fused kernel, so this SimpleRNN runs Keras's per-step loop.
        const int B = 3, T = 5, D = 2, U = 3;
        var x = torch.randn(B, T, D);
        bool[][] pattern = [[true, true, false, false, false], [false, true, false, true, true], [false, false, false, false, false]];
        var mask = torch.tensor(pattern.SelectMany(r => r).ToArray()).reshape(B, T);
        static double Selu(double v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.Exp(v) - 1));
        foreach (bool zero in new[] { false, true })
        {
            var rnn = new SimpleRNN(U, activation: "selu", returnSequences: true, zeroOutputForMask: zero, biasInitializer: "random_normal");
            rnn.Apply(x);
            var y = rnn.Call(x, false, mask);
            var cell = SimpleCell(Matrix(rnn.Kernel.Value), Matrix(rnn.RecurrentKernel.Value), Flat(rnn.Bias!.Value), Selu);
            var xs = Sequences(x);
            var expected = Enumerable.Range(0, B).SelectMany(n => RunSample(cell, xs[n], [new double[U]], pattern[n], false, zero).sequence.SelectMany(v => v)).ToArray();
            AssertClose(y, expected, 1e-5, $"selu SimpleRNN, zeroOutputForMask {zero}");
        }
    }

    [Test]
    public void MaskFlowsThroughAFunctionalModelAndStopsAfterTheRecurrentLayer()
    {
        var input = Keras.Input([5], dtype: ScalarType.Int64);
        var embedded = new Embedding(20, 4, maskZero: true).Apply(input);
        var sequence = new LSTM(3, returnSequences: true).Apply(embedded);
        var last = new LSTM(2).Apply(sequence);
        var model = new Model(input, last);
        var padded = model.Predict(Ids([4, 9, 0, 0, 0], [1, 2, 3, 0, 0]), verbose: 0);
        // the first LSTM skips the padding and its sequence output keeps the timestep mask (Keras 3 up to 3.13.1 and
        // tf.keras; Keras 3.13.2 stopped propagating it, which would make a loss count the padding), so the second
        // LSTM skips the padded steps too
        var firstOnly = new Model(input, sequence).Predict(Ids([4, 9, 0, 0, 0]), verbose: 0);
        Assert.That(torch.allclose(firstOnly[0, 2], firstOnly[0, 1], 0, 1e-6), Is.True, "masked steps repeat the last output");
        Assert.That(padded.shape, Is.EqualTo(new long[] { 2, 2 }));
        var eagerSeq = new Sequential(new Embedding(20, 4, maskZero: true, name: "e2"), new LSTM(3, returnSequences: true, name: "l2"));
        var y = eagerSeq.Apply(Ids([1, 2, 0]));
        Assert.That(Layer.GetMask(y), Is.Not.Null, "the sequence output carries the input's timestep mask");
        Assert.That(Layer.GetMask(y)!.to(ScalarType.Int64).data<long>().ToArray(), Is.EqualTo(new long[] { 1, 1, 0 }));
        var lastOnly = new Sequential(new Embedding(20, 4, maskZero: true, name: "e3"), new LSTM(3, name: "l3"));
        Assert.That(Layer.GetMask(lastOnly.Apply(Ids([1, 2, 0]))), Is.Null, "the last output has no timesteps, so no mask");
    }
}
