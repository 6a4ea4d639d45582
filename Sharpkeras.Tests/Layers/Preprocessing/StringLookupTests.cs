using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>StringLookup against Keras's index rules (values worked out by hand from index_lookup.py and its docs).</summary>
public class StringLookupTests
{
    private static long[] Flat(Tensor t) => t.cpu().flatten().data<long>().ToArray();

    [Test]
    public void AdaptAndLookupLikeKeras()
    {
        var layer = new StringLookup();
        layer.Adapt(["a", "c", "d", "d", "z", "b"]);
        // d twice; ties by descending bytes: z, c, b, a.
        Assert.That(layer.GetVocabulary(), Is.EqualTo(new[] { "[UNK]", "d", "z", "c", "b", "a" }));
        var given = new StringLookup(vocabulary: ["a", "b", "c", "d"]);
        Assert.That(Flat(given.Lookup(["a", "c", "d", "d", "z", "b"])), Is.EqualTo(new long[] { 1, 3, 4, 4, 0, 2 }));
        var masked = new StringLookup(maskToken: "", vocabulary: ["a", "b", "c", "d"]);
        Assert.That(Flat(masked.Lookup(["a", "c", "", "", "z", "b"])), Is.EqualTo(new long[] { 2, 4, 0, 0, 1, 3 }));
        Assert.That(given.InverseLookup(torch.tensor(new long[] { 1, 3, 4, 4, 0, 2, 9 })), Is.EqualTo(new[] { "a", "c", "d", "d", "[UNK]", "b", "[UNK]" }));
    }

    [Test]
    public void SeveralOovIndicesHashWithFarmHash()
    {
        // FarmHash64 mod 3 of A..E is 1, 0, 1, 1, 2 (Keras's Hashing docs).
        var layer = new StringLookup(numOovIndices: 3, vocabulary: ["x"]);
        Assert.That(Flat(layer.Lookup(["A", "B", "C", "D", "E", "x"])), Is.EqualTo(new long[] { 1, 0, 1, 1, 2, 3 }));
    }

    [Test]
    public void ConfigRoundTripsAndBadArgumentsThrow()
    {
        var back = (StringLookup)Registry.CatalogueTestUtil.RoundTrip<Layer>(new StringLookup(maxTokens: 5, maskToken: "", vocabulary: ["p", "q"]), l => l.GetConfig());
        Assert.That(back.GetVocabulary(), Is.EqualTo(new[] { "", "[UNK]", "p", "q" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StringLookup(maxTokens: 1));
        Assert.Throws<ArgumentException>(() => new StringLookup(vocabulary: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => new StringLookup(outputMode: "one_hot", invert: true));
        Assert.Throws<ArgumentException>(() => new StringLookup(encoding: "latin-1"));
        Assert.Throws<ArgumentException>(() => new StringLookup(salt: [1, 2, 3]));
        Assert.Throws<InvalidOperationException>(() => new StringLookup(vocabulary: ["a"], invert: true).Lookup(["a"]));
        Assert.Throws<ArgumentException>(() => new StringLookup(vocabulary: ["a"]).Lookup(new[] { new[] { "a" }, new[] { "a", "a" } }));
        Assert.Throws<ArgumentException>(() => new StringLookup(numOovIndices: 0, vocabulary: ["a"]).Lookup(["b"]));
        Assert.Throws<InvalidOperationException>(() => new StringLookup().Call(torch.zeros(1), false));
    }
}
