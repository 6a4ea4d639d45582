using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Registry.CatalogueTestUtil;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>
/// IndexLookup's output modes, padding, tf-idf, OOV hashing and inversion through IntegerLookup and StringLookup, against Keras's
/// documented examples (each re-derived by hand in the comments) and values worked out from index_lookup.py.
/// </summary>
public class IndexLookupTests
{
    private static float[] F(Tensor t)
    {
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Float32));
        return t.cpu().flatten().data<float>().ToArray();
    }

    private static long[] L(Tensor t) => t.cpu().flatten().data<long>().ToArray();

    private static readonly long[] Vocab = [12, 36, 1138, 42];
    private static readonly Tensor Data = torch.tensor(new long[,] { { 12, 1138, 42, 42 }, { 42, 7, 36, 7 } });

    [Test]
    public void OneHotMultiHotAndCountLikeKerasDocs()
    {
        // Indices: OOV 0, 12→1, 36→2, 1138→3, 42→4.
        var oneHot = new IntegerLookup(vocabulary: Vocab, outputMode: "one_hot").Apply(torch.tensor(new long[] { 12, 36, 1138, 42, 7 }));
        Assert.That(oneHot.shape, Is.EqualTo(new long[] { 5, 5 }));
        Assert.That(F(oneHot), Is.EqualTo(new float[] { 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0 }));
        // Row 0 holds 1, 3, 4, 4; row 1 holds 4, 0, 2, 0.
        Assert.That(F(new IntegerLookup(vocabulary: Vocab, outputMode: "multi_hot").Apply(Data)), Is.EqualTo(new float[] { 0, 1, 0, 1, 1, 1, 0, 1, 0, 1 }));
        Assert.That(F(new IntegerLookup(vocabulary: Vocab, outputMode: "count").Apply(Data)), Is.EqualTo(new float[] { 0, 1, 0, 1, 2, 2, 0, 1, 0, 1 }));
        // Keras's deprecated name "binary" is multi_hot.
        Assert.That(new IntegerLookup(vocabulary: Vocab, outputMode: "binary").OutputMode, Is.EqualTo("multi_hot"));
        var layer = new IntegerLookup(vocabulary: Vocab, outputMode: "count");
        Assert.That(layer.ComputeOutputShape([null, 4]), Is.EqualTo(new int?[] { null, 5 }));
        var sym = layer.Apply(Keras.Input(shape: [4], dtype: ScalarType.Int64));
        Assert.That(sym.Shape, Is.EqualTo(new int?[] { null, 5 }));
    }

    [Test]
    public void TfIdfWithGivenWeightsLikeKerasDocs()
    {
        // OOV weight = mean(0.25, 0.75, 0.6, 0.4) = 0.5. Row 0: 12 → .25, 1138 → .6, 42 twice → .8. Row 1: 42 → .4, 36 → .75, 7 twice → 1.0.
        var layer = new IntegerLookup(outputMode: "tf_idf", vocabulary: Vocab, idfWeights: [0.25, 0.75, 0.6, 0.4]);
        Assert.That(F(layer.Apply(Data)), Is.EqualTo(new float[] { 0, 0.25f, 0, 0.6f, 0.8f, 1.0f, 0, 0.75f, 0, 0.4f }).Within(1e-6));
        Assert.That(layer.IdfWeights, Is.EqualTo(new float[] { 0.5f, 0.25f, 0.75f, 0.6f, 0.4f }).Within(1e-7));
        // With the OOV token leading the vocabulary its weight is given: 0.9 · 2 = 1.8.
        var withOov = new IntegerLookup(outputMode: "tf_idf", vocabulary: [-1, 12, 36, 1138, 42], idfWeights: [0.9, 0.25, 0.75, 0.6, 0.4]);
        Assert.That(F(withOov.Apply(Data)), Is.EqualTo(new float[] { 0, 0.25f, 0, 0.6f, 0.8f, 1.8f, 0, 0.75f, 0, 0.4f }).Within(1e-6));
        // Same through StringLookup.SetVocabulary, as Keras's StringLookup docs.
        var s = new StringLookup(outputMode: "tf_idf");
        s.SetVocabulary(["a", "b", "c", "d"], idfWeights: [0.25, 0.75, 0.6, 0.4]);
        var rows = new[] { new[] { "a", "c", "d", "d" }, new[] { "d", "z", "b", "z" } };
        Assert.That(F(s.Lookup(rows)), Is.EqualTo(new float[] { 0, 0.25f, 0, 0.6f, 0.8f, 1.0f, 0, 0.75f, 0, 0.4f }).Within(1e-6));
    }

    [Test]
    public void AdaptInTfIdfModeLearnsDocumentFrequencies()
    {
        // Documents (1, 2), (1, 3), (1, 1): counts 1:4, 3:1, 2:1 → vocabulary [-1, 1, 3, 2] (ties: larger first).
        // Document counts 3, 1, 1 of 3 documents → idf log(1 + 3/4), log(1 + 3/2), log(1 + 3/2); the OOV index gets their mean.
        var layer = new IntegerLookup(outputMode: "tf_idf");
        layer.Adapt(torch.tensor(new long[,] { { 1, 2 }, { 1, 3 }, { 1, 1 } }));
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { -1, 1, 3, 2 }));
        double i1 = Math.Log(1.75), i3 = Math.Log(2.5);
        double mean = (i1 + 2 * i3) / 3;
        Assert.That(layer.IdfWeights!.Select(w => (double)w), Is.EqualTo(new[] { mean, i1, i3, i3 }).Within(1e-6));
        // (1, 1, 5): OOV once, index 1 twice.
        Assert.That(F(layer.Apply(torch.tensor(new long[,] { { 1, 1, 5 } }))), Is.EqualTo(new[] { (float)mean, (float)(2 * i1), 0f, 0f }).Within(1e-6));
        // A rank-1 tensor is a list of one-token documents (Keras reads a 1-D array so): 4 documents, 1 in 2 of them.
        var flat = new IntegerLookup(outputMode: "tf_idf");
        flat.Adapt(torch.tensor(new long[] { 1, 1, 2, 3 }));
        Assert.That((double)flat.IdfWeights![1], Is.EqualTo(Math.Log(1 + 4.0 / 3)).Within(1e-6));
    }

    [Test]
    public void PadToMaxTokensAndMaskInEncodedModes()
    {
        // Depth = maxTokens; the mask takes no index in the encoded modes (index 0 is the OOV index) and is dropped.
        var layer = new IntegerLookup(maxTokens: 6, padToMaxTokens: true, maskToken: 0, outputMode: "multi_hot", vocabulary: [5, 6]);
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { -1, 5, 6 }));
        Assert.That(F(layer.Apply(torch.tensor(new long[,] { { 0, 6, 9 }, { 0, 0, 5 } }))), Is.EqualTo(new float[] { 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0 }));
        Assert.That(layer.ComputeOutputShape([null, 3]), Is.EqualTo(new int?[] { null, 6 }));
        // tf_idf with padding: idf padded with zeros up to maxTokens.
        var tfidf = new IntegerLookup(maxTokens: 5, padToMaxTokens: true, outputMode: "tf_idf", vocabulary: [5, 6], idfWeights: [1, 3]);
        Assert.That(tfidf.IdfWeights, Is.EqualTo(new float[] { 2, 1, 3, 0, 0 }));
        Assert.That(F(tfidf.Apply(torch.tensor(new long[,] { { 6, 6, 7 } }))), Is.EqualTo(new float[] { 2, 0, 6, 0, 0 }));
        // Without padding the depth is fixed by the first vocabulary; another size is refused.
        var fixedDepth = new IntegerLookup(outputMode: "count");
        fixedDepth.SetVocabulary([1, 2]);
        Assert.Throws<InvalidOperationException>(() => fixedDepth.SetVocabulary([1, 2, 3]));
        fixedDepth.SetVocabulary([3, 4]);
        Assert.That(F(fixedDepth.Apply(torch.tensor(new long[,] { { 4, 4 } }))), Is.EqualTo(new float[] { 0, 0, 2 }));
    }

    [Test]
    public void OovHashingFloormodFarmhashAndSalt()
    {
        // Keras's docs: 4 OOV indices, oov_method farmhash spreads 100, 300, 700, 1100, 1700, 2000 as 3, 3, 2, 2, 0, 1 (floormod: all 0).
        long[] oov = [100, 300, 700, 1100, 1700, 2000];
        Assert.That(L(new IntegerLookup(vocabulary: [10, 20, 30], numOovIndices: 4).Apply(torch.tensor(oov))), Is.EqualTo(new long[] { 0, 0, 0, 0, 0, 0 }));
        Assert.That(L(new IntegerLookup(vocabulary: [10, 20, 30], numOovIndices: 4, oovMethod: "farmhash").Apply(torch.tensor(oov))),
            Is.EqualTo(new long[] { 3, 3, 2, 2, 0, 1 }));
        // Salted: SipHash of the decimal text, the same bins as Hashing with that salt (0..4 → 1, 1, 2, 0, 1 in 3 bins).
        var salted = new IntegerLookup(vocabulary: [99], numOovIndices: 3, oovMethod: "farmhash", salt: [133, 137]);
        Assert.That(L(salted.Apply(torch.tensor(new long[] { 0, 1, 2, 3, 4, 99 }))), Is.EqualTo(new long[] { 1, 1, 2, 0, 1, 3 }));
        // StringLookup's docs: 2 OOV indices, "m" → 0 and "z" → 1.
        var s = new StringLookup(vocabulary: ["a", "b", "c", "d"], numOovIndices: 2);
        Assert.That(L(s.Lookup(new[] { new[] { "a", "c", "d" }, new[] { "m", "z", "b" } })), Is.EqualTo(new long[] { 2, 4, 5, 0, 1, 3 }));
        var saltedStrings = new StringLookup(vocabulary: ["x"], numOovIndices: 3, salt: [133, 137]);
        Assert.That(L(saltedStrings.Lookup(["A", "B", "C", "D", "E"])), Is.EqualTo(new long[] { 1, 2, 1, 0, 2 }));
    }

    [Test]
    public void StringLookupAdaptsRowsAndEncodes()
    {
        // Keras's docs: rows (a, c, d), (d, z, b) → ['[UNK]', 'd', 'z', 'c', 'b', 'a'] and lookups (5, 3, 1), (1, 2, 4).
        var rows = new[] { new[] { "a", "c", "d" }, new[] { "d", "z", "b" } };
        var layer = new StringLookup();
        layer.Adapt(rows);
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new[] { "[UNK]", "d", "z", "c", "b", "a" }));
        var ids = layer.Lookup(rows);
        Assert.That(ids.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(L(ids), Is.EqualTo(new long[] { 5, 3, 1, 1, 2, 4 }));
        var vocab = new[] { "a", "b", "c", "d" };
        var data = new[] { new[] { "a", "c", "d", "d" }, new[] { "d", "z", "b", "z" } };
        Assert.That(F(new StringLookup(vocabulary: vocab, outputMode: "multi_hot").Lookup(data)), Is.EqualTo(new float[] { 0, 1, 0, 1, 1, 1, 0, 1, 0, 1 }));
        Assert.That(F(new StringLookup(vocabulary: vocab, outputMode: "count").Lookup(data)), Is.EqualTo(new float[] { 0, 1, 0, 1, 2, 2, 0, 1, 0, 1 }));
        Assert.That(F(new StringLookup(vocabulary: vocab, outputMode: "one_hot").Lookup(["b", "z"])), Is.EqualTo(new float[] { 0, 0, 1, 0, 0, 1, 0, 0, 0, 0 }));
        // invert: indices back to strings.
        var inv = new StringLookup(vocabulary: vocab, invert: true);
        Assert.That(inv.InverseLookup(torch.tensor(new long[] { 1, 3, 4, 4, 0, 2 })), Is.EqualTo(new[] { "a", "c", "d", "d", "[UNK]", "b" }));
        // Adapting a layer made with a vocabulary is refused (Keras's rule).
        Assert.Throws<InvalidOperationException>(() => new StringLookup(vocabulary: vocab).Adapt(["a"]));
    }

    [Test]
    public void AdaptRespectsMaxTokensAndMaskInIntMode()
    {
        // mask 0 and one OOV index take indices 0 and 1; maxTokens 4 leaves two learned tokens.
        var layer = new IntegerLookup(maxTokens: 4, maskToken: 0);
        layer.Adapt(torch.tensor(new long[] { 5, 5, 5, 0, 0, 0, 0, -1, -1, 9, 9, 3, 3, 8 }));
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new long[] { 0, -1, 5, 9 }));
        // In an encoded mode the same layer would reserve no mask index.
        var encoded = new IntegerLookup(maxTokens: 4, maskToken: 0, outputMode: "count");
        encoded.Adapt(torch.tensor(new long[] { 5, 5, 5, 0, 0, 0, 0, -1, -1, 9, 9, 3, 3, 8 }));
        Assert.That(encoded.GetVocabulary(), Is.EqualTo(new long[] { -1, 5, 9, 3 }));
    }

    [Test]
    public void ConfigRoundTripKeepsVocabularyAndIdf()
    {
        var layer = new IntegerLookup(outputMode: "tf_idf", maskToken: 0);
        layer.Adapt(torch.tensor(new long[,] { { 1, 2 }, { 1, 3 } }));
        var back = (IntegerLookup)RoundTrip<Layer>(layer, l => l.GetConfig());
        Assert.That(back.GetVocabulary(), Is.EqualTo(layer.GetVocabulary()));
        Assert.That(back.IdfWeights, Is.EqualTo(layer.IdfWeights));
        var x = torch.tensor(new long[,] { { 1, 3, 0, 7 } });
        Assert.That(F(back.Apply(x)), Is.EqualTo(F(layer.Apply(x))));
        var padded = (IntegerLookup)RoundTrip<Layer>(new IntegerLookup(maxTokens: 6, padToMaxTokens: true, outputMode: "tf_idf", vocabulary: [4], idfWeights: [2],
            numOovIndices: 2, oovMethod: "farmhash", salt: [1, 2]), l => l.GetConfig());
        Assert.That(padded.IdfWeights, Is.EqualTo(new float[] { 2, 2, 2, 0, 0, 0 }));
        Assert.That(padded.Salt, Is.EqualTo(new long[] { 1, 2 }));
        var s = (StringLookup)RoundTrip<Layer>(new StringLookup(outputMode: "multi_hot", maskToken: "", vocabulary: ["p", "q"], salt: [3, 4]), l => l.GetConfig());
        Assert.That(s.GetVocabulary(), Is.EqualTo(new[] { "[UNK]", "p", "q" }));
        Assert.That(F(s.Lookup(new[] { new[] { "q", "", "zz" } })), Is.EqualTo(new float[] { 1, 0, 1 }));
    }
}
