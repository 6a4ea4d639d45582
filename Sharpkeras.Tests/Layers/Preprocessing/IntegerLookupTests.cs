using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>IntegerLookup against Keras's index rules (values worked out by hand from index_lookup.py).</summary>
public class IntegerLookupTests
{
    private static Tensor L(long[,] v) => torch.tensor(v);

    private static long[] Flat(Tensor t)
    {
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Int64));
        return t.cpu().flatten().data<long>().ToArray();
    }

    [Test]
    public void AdaptOrdersByCountThenDescendingValue()
    {
        var layer = new IntegerLookup();
        layer.Adapt(L(new long[,] { { 12, 1138, 42 }, { 42, 1000, 36 } }));
        // 42 occurs twice; the rest once, ties with the larger value first; OOV (-1) at index 0.
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { -1, 42, 1138, 1000, 36, 12 }));
        Assert.That(layer.GetVocabulary(includeSpecialTokens: false), Is.EqualTo(new long[] { 42, 1138, 1000, 36, 12 }));
        Assert.That(layer.VocabularySize(), Is.EqualTo(6));
        Assert.That(Flat(layer.Apply(torch.tensor(new long[] { 42, 12, 7 }))), Is.EqualTo(new long[] { 1, 5, 0 }));
    }

    [Test]
    public void AdaptSkipsSpecialTokensAndHonoursMaxTokens()
    {
        var layer = new IntegerLookup(maxTokens: 4, maskToken: 0);
        // counts: 5:3, 0 (mask):4, -1 (oov):2, 9:2, 3:2, 8:1 → learned 5, then 9 (tie with 3, larger first); 2 slots left.
        layer.Adapt(torch.tensor(new long[] { 5, 5, 5, 0, 0, 0, 0, -1, -1, 9, 9, 3, 3, 8 }));
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { 0, -1, 5, 9 }));
        Assert.That(Flat(layer.Apply(torch.tensor(new long[] { 0, 5, 9, 3, -1 }))), Is.EqualTo(new long[] { 0, 2, 3, 1, 1 }));
    }

    [Test]
    public void GivenVocabularyMapsLikeKeras()
    {
        var layer = new IntegerLookup(vocabulary: [12, 36, 1138, 42]);
        Assert.That(Flat(layer.Apply(L(new long[,] { { 12, 1138, 42 }, { 42, 1000, 36 } }))), Is.EqualTo(new long[] { 1, 3, 4, 4, 0, 2 }));
        // int32 input works too, and the shape is kept.
        var y = layer.Apply(torch.tensor(new int[] { 36, 5 }).reshape(2, 1));
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 1 }));
        Assert.That(Flat(y), Is.EqualTo(new long[] { 2, 0 }));
    }

    [Test]
    public void SeveralOovIndicesUseFloormod()
    {
        var layer = new IntegerLookup(numOovIndices: 2, vocabulary: [12, 36, 1138, 42]);
        // 1000 % 2 = 0, 7 % 2 = 1, -3 floormod 2 = 1.
        Assert.That(Flat(layer.Apply(torch.tensor(new long[] { 12, 1138, 42, 1000, 36, 7, -3 }))), Is.EqualTo(new long[] { 2, 4, 5, 0, 3, 1, 1 }));
        var masked = new IntegerLookup(numOovIndices: 3, maskToken: 0, vocabulary: [12]);
        // mask → 0, OOV indices 1..3 (1 + v mod 3), 12 → 4.
        Assert.That(Flat(masked.Apply(torch.tensor(new long[] { 0, 12, 4, 5, 6 }))), Is.EqualTo(new long[] { 0, 4, 2, 3, 1 }));
        Assert.That(masked.GetVocabulary(), Is.EqualTo(new long[] { 0, -1, -1, -1, 12 }));
    }

    [Test]
    public void MaskTokenGoesToZero()
    {
        var layer = new IntegerLookup(maskToken: 0, vocabulary: [12, 36, 1138, 42]);
        Assert.That(Flat(layer.Apply(L(new long[,] { { 12, 1138, 0 }, { 0, 1000, 36 } }))), Is.EqualTo(new long[] { 2, 4, 0, 0, 1, 3 }));
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { 0, -1, 12, 36, 1138, 42 }));
    }

    [Test]
    public void InvertMapsIndicesBack()
    {
        var layer = new IntegerLookup(vocabulary: [12, 36, 1138, 42], invert: true);
        Assert.That(Flat(layer.Apply(L(new long[,] { { 1, 3, 4 }, { 4, 0, 2 } }))), Is.EqualTo(new long[] { 12, 1138, 42, 42, -1, 36 }));
        Assert.That(Flat(layer.Apply(torch.tensor(new long[] { 9, -2 }))), Is.EqualTo(new long[] { -1, -1 }));
        var masked = new IntegerLookup(maskToken: 0, vocabulary: [7], invert: true);
        Assert.That(Flat(masked.Apply(torch.tensor(new long[] { 0, 1, 2 }))), Is.EqualTo(new long[] { 0, -1, 7 }));
    }

    [Test]
    public void NoOovIndexRejectsUnknownValues()
    {
        var layer = new IntegerLookup(numOovIndices: 0, vocabulary: [3, 4]);
        Assert.That(Flat(layer.Apply(torch.tensor(new long[] { 4, 3 }))), Is.EqualTo(new long[] { 1, 0 }));
        Assert.Throws<ArgumentException>(() => layer.Apply(torch.tensor(new long[] { 5 })));
    }

    [Test]
    public void SetVocabularyStripsLeadingSpecialTokens()
    {
        var layer = new IntegerLookup(maskToken: 0);
        layer.SetVocabulary([0, -1, 5, 6]);
        Assert.That(layer.GetVocabulary(includeSpecialTokens: false), Is.EqualTo(new long[] { 5, 6 }));
    }

    [Test]
    public void ConfigRoundTrips()
    {
        var layer = new IntegerLookup(maxTokens: 10, numOovIndices: 2, maskToken: 0, oovToken: -7, vocabulary: [4, 8], invert: false);
        var back = Registry.CatalogueTestUtil.RoundTrip<Layer>(layer, l => l.GetConfig()) as IntegerLookup ?? throw new AssertionException("not an IntegerLookup");
        Assert.That(back.MaxTokens, Is.EqualTo(10));
        Assert.That(back.NumOovIndices, Is.EqualTo(2));
        Assert.That(back.MaskToken, Is.EqualTo(0));
        Assert.That(back.OovToken, Is.EqualTo(-7));
        Assert.That(back.GetVocabulary(), Is.EqualTo(new long[] { 0, -7, -7, 4, 8 }));
        Assert.That(Flat(back.Apply(torch.tensor(new long[] { 8, 0, 3 }))), Is.EqualTo(new long[] { 4, 0, 2 }));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntegerLookup(maxTokens: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntegerLookup(numOovIndices: -1));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(outputMode: "bogus"))!.ParamName, Is.EqualTo("outputMode"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(outputMode: "one_hot", invert: true))!.ParamName, Is.EqualTo("outputMode"));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(maskToken: -1));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: [1, 2, 1]));
        // The OOV token may be a vocabulary entry, except when inverting (Keras's rule).
        Assert.That(new IntegerLookup(vocabulary: [1, -1]).GetVocabulary(), Is.EqualTo(new long[] { -1, 1, -1 }));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: [1, -1], invert: true));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: [1, 0], maskToken: 0));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: []))!.ParamName, Is.EqualTo("vocabulary"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(padToMaxTokens: true))!.ParamName, Is.EqualTo("padToMaxTokens"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(oovMethod: "md5"))!.ParamName, Is.EqualTo("oovMethod"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(salt: [1, 2]))!.ParamName, Is.EqualTo("salt"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(oovMethod: "farmhash", salt: [1]))!.ParamName, Is.EqualTo("salt"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(outputMode: "count", sparse: true))!.ParamName, Is.EqualTo("sparse"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabularyDtype: "int32"))!.ParamName, Is.EqualTo("vocabularyDtype"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(idfWeights: [1.0]))!.ParamName, Is.EqualTo("idfWeights"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(outputMode: "tf_idf", vocabulary: [1]))!.ParamName, Is.EqualTo("idfWeights"));
        Assert.That(Assert.Throws<ArgumentException>(() => new IntegerLookup(outputMode: "tf_idf", vocabulary: [1], idfWeights: [1, 2]))!.ParamName, Is.EqualTo("idfWeights"));
        Assert.Throws<InvalidOperationException>(() => new IntegerLookup(vocabulary: [1]).Adapt(torch.tensor(new long[] { 1 })));
        Assert.Throws<InvalidOperationException>(() => new IntegerLookup(outputMode: "multi_hot").Apply(torch.tensor(new long[] { 1 })));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(maxTokens: 3, vocabulary: [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => new IntegerLookup().Adapt(torch.tensor(new float[] { 1f })));
        Assert.Throws<ArgumentException>(() => new IntegerLookup(vocabulary: [1]).Apply(torch.tensor(new float[] { 1f })));
    }
}
