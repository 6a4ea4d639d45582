using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>
/// ONNX export of recurrent layers with returnState (several outputs) and initial states (several inputs), of
/// Bidirectional's two-output and state forms, and of the merging layers (Dot; masked Maximum, Minimum, Multiply;
/// Concatenate along time).
/// </summary>
public class OnnxRecurrentAndMergingExportTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 55;

    private static Tensor Padded2(int n, int steps, int vocab) => Padded(n, steps, vocab, stride: 2);
    [Test]
    public void EncoderDecoderWithReturnStateAndInitialStatesMatchesPredict()
    {
        // Keras's seq2seq pattern: the encoder's final states start the decoder.
        var enc = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var dec = Keras.Input(shape: [4, 3]);
        var e = new Embedding(25, 5, maskZero: true).Apply(enc);
        var encOuts = new LSTM(4, returnState: true).ApplyMulti(e);              // [output, h, c]
        var decOuts = new LSTM(4, returnSequences: true, returnState: true).ApplyMulti(dec, encOuts[1], encOuts[2]);
        var gruOuts = new GRU(3, returnState: true, goBackwards: true).ApplyMulti(decOuts[0]);   // [output, h]
        var rnnOuts = new SimpleRNN(2, returnSequences: true, returnState: true).ApplyMulti(decOuts[0]);
        var cellRnn = new RNN(new LSTMCell(3), returnState: true).ApplyMulti(decOuts[0]);
        var model = new Model([enc, dec], [new Dense(2).Apply(decOuts[0]), decOuts[1], decOuts[2], gruOuts[0], gruOuts[1], rnnOuts[1], cellRnn[2]], name: "seq2seq");
        Randomize(model);
        Tensor[] Batch(int n) => [Padded2(n, 6, 25), torch.randn(n, 4, 3)];
        Assert.That(ExportAndCompare(model, Dir, Batch(4), Batch(1)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void BidirectionalWithTwoOutputsAndStatesMatchesPredict()
    {
        var ids = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var e = new Embedding(20, 4, maskZero: true).Apply(ids);
        var split = new Bidirectional(new GRU(3, returnSequences: true), mergeMode: null).ApplyMulti(e);   // [forward, backward]
        var states = new Bidirectional(new LSTM(2, returnState: true)).ApplyMulti(e);                      // [merged, fh, fc, bh, bc]
        var model = new Model([ids], [.. split, .. states], name: "bidir");
        Randomize(model);
        Assert.That(model.Outputs.Count, Is.EqualTo(7));
        Assert.That(ExportAndCompare(model, Dir, [Padded2(4, 5, 20)], [Padded2(1, 5, 20)]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void DotMatchesPredictForEveryAxesForm()
    {
        var a = Keras.Input(shape: [3, 4]);
        var b = Keras.Input(shape: [5, 4]);
        var c = Keras.Input(shape: [4]);
        var d = Keras.Input(shape: [4]);
        var outs = new[]
        {
            new Dot(axes: (2, 2)).Apply(a, b),                       // (batch, 3, 5)
            new Dot(axes: (2, 2), normalize: true).Apply(a, b),      // cosine similarities
            new Dot(axes: (1, 1)).Apply(a, new Permute([2, 1]).Apply(new Dense(3).Apply(b))), // (batch, 4, 5)
            new Dot(axes: 1).Apply(c, d),                            // (batch, 1)
            new Dot(axes: -1, normalize: true).Apply(c, d),
            new Dot(axes: (2, 1)).Apply(a, c),                       // (batch, 3)
        };
        var model = new Model([a, b, c, d], outs, name: "dots");
        Randomize(model);
        Tensor[] Batch(int n) => [torch.randn(n, 3, 4), torch.randn(n, 5, 4), torch.randn(n, 4), torch.randn(n, 4)];
        Assert.That(ExportAndCompare(model, Dir, Batch(3), Batch(1)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void MaskedMergesAndTimeConcatenationMatchPredict()
    {
        var i1 = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var i2 = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var e1 = new Embedding(20, 3, maskZero: true).Apply(i1);
        var e2 = new Embedding(20, 3, maskZero: true).Apply(i2);
        var plain = new Dense(3).Apply(new Embedding(20, 3).Apply(i2));          // no mask
        var max = new Maximum().Apply(e1, e2);
        var min = new Minimum().Apply(e1, plain);
        var mul = new Multiply().Apply(e1, e2);
        var mul2 = new Multiply().Apply(e1, plain);
        var avg = new Average().Apply(e1, e2);
        var time = new Concatenate(axis: 1).Apply(e1, plain);                     // (batch, 10, 3), masks concatenated
        var pooledTime = new GlobalAveragePooling1D().Apply(time);
        var feat = new LSTM(2).Apply(new Concatenate().Apply(max, min, mul, mul2, avg));
        var model = new Model([i1, i2], [pooledTime, feat, max, min, mul, mul2], name: "merges");
        Randomize(model);
        Tensor[] Batch(int n) => [Padded2(n, 5, 20), Padded2(n, 5, 20).flip(0)];
        Assert.That(ExportAndCompare(model, Dir, Batch(4), Batch(1)), Is.LessThanOrEqualTo(1e-4));
    }
}
