using NUnit.Framework;
using Sharpkeras.Data;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Data;

public class SequenceTests
{
    private static readonly long[][] Keras = [[1], [2, 3], [4, 5, 6]];

    private static long[][] Rows(Tensor t) =>
        Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].to(ScalarType.Int64).data<long>().ToArray()).ToArray();

    [Test]
    public void KerasDocExampleDefaultPrePadding()
    {
        // keras.utils.pad_sequences([[1], [2, 3], [4, 5, 6]]) -> [[0, 0, 1], [0, 2, 3], [4, 5, 6]], dtype int32
        var t = Sequence.PadSequences(Keras);
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Int32));
        Assert.That(Rows(t), Is.EqualTo(new long[][] { [0, 0, 1], [0, 2, 3], [4, 5, 6] }));
    }

    [Test]
    public void KerasDocExampleValue()
    {
        // value=-1 -> [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
        Assert.That(Rows(Sequence.PadSequences(Keras, value: -1)), Is.EqualTo(new long[][] { [-1, -1, 1], [-1, 2, 3], [4, 5, 6] }));
    }

    [Test]
    public void KerasDocExamplePostPadding()
    {
        // padding='post' -> [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
        Assert.That(Rows(Sequence.PadSequences(Keras, padding: "post")), Is.EqualTo(new long[][] { [1, 0, 0], [2, 3, 0], [4, 5, 6] }));
    }

    [Test]
    public void KerasDocExampleMaxLenTruncatesAtTheStart()
    {
        // maxlen=2 -> [[0, 1], [2, 3], [5, 6]] (truncating='pre' keeps the last values)
        Assert.That(Rows(Sequence.PadSequences(Keras, maxLen: 2)), Is.EqualTo(new long[][] { [0, 1], [2, 3], [5, 6] }));
    }

    [Test]
    public void PostTruncationKeepsTheFirstValues()
    {
        // maxlen=2, truncating='post': [4, 5, 6] -> [4, 5]; padding='post': [1] -> [1, 0]
        var t = Sequence.PadSequences(Keras, maxLen: 2, padding: "post", truncating: "post");
        Assert.That(Rows(t), Is.EqualTo(new long[][] { [1, 0], [2, 3], [4, 5] }));
    }

    [Test]
    public void FloatDtypeEmptySequencesAndIntOverload()
    {
        var t = Sequence.PadSequences(new long[][] { [], [7] }, maxLen: 3, dtype: ScalarType.Float32, value: 0.5);
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(t.data<float>().ToArray(), Is.EqualTo(new float[] { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 7f }));
        var i64 = Sequence.PadSequences(new int[][] { [1, 2], [3] }, dtype: ScalarType.Int64);
        Assert.That(i64.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(Rows(i64), Is.EqualTo(new long[][] { [1, 2], [0, 3] }));
        Assert.That(Sequence.PadSequences(Array.Empty<long[]>()).shape, Is.EqualTo(new long[] { 0, 0 }));
    }

    [Test]
    public void InvalidArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => Sequence.PadSequences(Keras, padding: "middle"))!.ParamName, Is.EqualTo("padding"));
        Assert.That(Assert.Throws<ArgumentException>(() => Sequence.PadSequences(Keras, truncating: "x"))!.ParamName, Is.EqualTo("truncating"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sequence.PadSequences(Keras, maxLen: -1));
        Assert.Throws<ArgumentException>(() => Sequence.PadSequences(new long[][] { [1], null! }));
    }
}
