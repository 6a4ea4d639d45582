using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Tests.LayersMisc;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

/// <summary>Hashing against the bins published in Keras's and TensorFlow's documentation (FarmHash64 Fingerprint64).</summary>
public class HashingTests
{
    private static long[] Flat(Tensor t)
    {
        Assert.That(t.dtype, Is.EqualTo(ScalarType.Int64));
        return t.cpu().flatten().data<long>().ToArray();
    }

    [Test]
    public void MatchesKerasAndTensorFlowDocumentedBins()
    {
        // keras.layers.Hashing(num_bins=3) on A..E gives [1, 0, 1, 1, 2].
        Assert.That(Flat(new Hashing(3).HashStrings(["A", "B", "C", "D", "E"])), Is.EqualTo(new long[] { 1, 0, 1, 1, 2 }));
        // tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) gives [0, 2, 2] (5-, 10- and 3-byte paths).
        Assert.That(Flat(new Hashing(3).HashStrings(["Hello", "TensorFlow", "2.x"])), Is.EqualTo(new long[] { 0, 2, 2 }));
        // Keras's mask example (num_bins=3, mask '') puts A, B in bin 1 and C, D in bin 2, i.e. hash mod 2 = 0, 0, 1, 1;
        // with the mod-3 bins above, hash mod 6 = 4, 0, 1, 1.
        Assert.That(Flat(new Hashing(6).HashStrings(["A", "B", "C", "D"])), Is.EqualTo(new long[] { 4, 0, 1, 1 }));
    }

    [Test]
    public void IntegersHashTheirDecimalTextAndMaskGoesToBinZero()
    {
        var plain = new Hashing(7);
        var ints = torch.tensor(new long[] { 0, 1, -5, 123456789012345678, 42, 7 }).reshape(2, 3);
        var y = plain.Apply(ints);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(Flat(y), Is.EqualTo(Flat(plain.HashStrings(["0", "1", "-5", "123456789012345678", "42", "7"]))));
        var masked = new Hashing(3, maskValue: 0);
        var m = Flat(masked.Apply(torch.tensor(new int[] { 0, 1, 2, 0 })));
        var twoBins = Flat(new Hashing(2).HashStrings(["1", "2"]));
        Assert.That(m, Is.EqualTo(new long[] { 0, 1 + twoBins[0], 1 + twoBins[1], 0 }));
        // Floats are truncated to int64 first.
        Assert.That(Flat(plain.Apply(torch.tensor(new float[] { 1.7f, -5.2f }))), Is.EqualTo(Flat(plain.HashStrings(["1", "-5"]))));
    }

    [Test]
    public void SipHashMatchesTheReferenceVectors()
    {
        // SipHash-2-4 paper, appendix A: key 00..0f, message 00..0e → a129ca6149be45e5; the empty message → 726fdb47dd0e0e31.
        ulong k0 = 0x0706050403020100UL, k1 = 0x0f0e0d0c0b0a0908UL;
        Assert.That(SipHash.Hash24(k0, k1, Enumerable.Range(0, 15).Select(i => (byte)i).ToArray()), Is.EqualTo(0xa129ca6149be45e5UL));
        Assert.That(SipHash.Hash24(k0, k1, []), Is.EqualTo(0x726fdb47dd0e0e31UL));
    }

    [Test]
    public void SaltUsesSipHashLikeKeras()
    {
        // Keras's hashing_test: salt [133, 137] on A..E in 3 bins, salt 133 (= [133, 133]), and the 2-bin names.
        Assert.That(Flat(new Hashing(3, salt: [133, 137]).HashStrings(["A", "B", "C", "D", "E"])), Is.EqualTo(new long[] { 1, 2, 1, 0, 2 }));
        Assert.That(Flat(new Hashing(3, salt: [133, 133]).HashStrings(["A", "B", "C", "D", "E"])), Is.EqualTo(new long[] { 0, 0, 2, 1, 0 }));
        string[] names = ["omar", "stringer", "marlo", "wire", "skywalker"];
        Assert.That(Flat(new Hashing(2, salt: [133, 137]).HashStrings(names)), Is.EqualTo(new long[] { 0, 1, 0, 1, 0 }));
        Assert.That(Flat(new Hashing(2, salt: [211, 137]).HashStrings(names)), Is.EqualTo(new long[] { 1, 0, 1, 0, 1 }));
        Assert.That(Flat(new Hashing(3, salt: [133, 137]).Apply(torch.tensor(new long[,] { { 0 }, { 1 }, { 2 }, { 3 }, { 4 } }))), Is.EqualTo(new long[] { 1, 1, 2, 0, 1 }));
    }

    [Test]
    public void OutputModesEncodeTheBins()
    {
        // With salt [133, 137] the integers 0..4 fall in bins 1, 1, 2, 0, 1 (above).
        var ints = torch.tensor(new long[,] { { 0, 1, 2, 3, 4 } });
        var multi = new Hashing(3, salt: [133, 137], outputMode: "multi_hot").Apply(ints);
        Assert.That(multi.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(multi.data<float>().ToArray(), Is.EqualTo(new float[] { 1, 1, 1 }));
        Assert.That(new Hashing(3, salt: [133, 137], outputMode: "count").Apply(ints).data<float>().ToArray(), Is.EqualTo(new float[] { 1, 3, 1 }));
        var oneHot = new Hashing(3, salt: [133, 137], outputMode: "one_hot").Apply(torch.tensor(new long[,] { { 2 }, { 3 } }));
        Assert.That(oneHot.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(oneHot.data<float>().ToArray(), Is.EqualTo(new float[] { 0, 0, 1, 1, 0, 0 }));
        Assert.That(new Hashing(3, outputMode: "multi_hot").ComputeOutputShape([null, 4]), Is.EqualTo(new int?[] { null, 3 }));
        Assert.That(new Hashing(3, outputMode: "one_hot").ComputeOutputShape([null, 1]), Is.EqualTo(new int?[] { null, 3 }));
        // Rows of strings: A..E hash to 1, 0, 1, 1, 2 unsalted; rows (A, B) and (E, E) as counts.
        Assert.That(new Hashing(3, outputMode: "count").HashStrings(new[] { new[] { "A", "B" }, new[] { "E", "E" } }).data<float>().ToArray(),
            Is.EqualTo(new float[] { 1, 1, 0, 0, 0, 2 }));
    }

    [Test]
    public void ConfigRoundTripsAndBadArgumentsThrow()
    {
        var back = (Hashing)MiscTestUtils.Rebuild(new Hashing(5, maskValue: 3, salt: [7, 9], outputMode: "count"));
        Assert.That(back.NumBins, Is.EqualTo(5));
        Assert.That(back.MaskValue, Is.EqualTo(3));
        Assert.That(back.Salt, Is.EqualTo(new long[] { 7, 9 }));
        Assert.That(back.OutputMode, Is.EqualTo("count"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Hashing(0));
        Assert.That(Assert.Throws<ArgumentException>(() => new Hashing(3, salt: [1]))!.ParamName, Is.EqualTo("salt"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Hashing(3, salt: [133, 137, 177]))!.ParamName, Is.EqualTo("salt"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Hashing(3, outputMode: "tf_idf"))!.ParamName, Is.EqualTo("outputMode"));
        Assert.That(Assert.Throws<ArgumentException>(() => new Hashing(3, outputMode: "count", sparse: true))!.ParamName, Is.EqualTo("sparse"));
        Assert.Throws<ArgumentException>(() => new Hashing(3).HashStrings(new[] { new[] { "a" }, new[] { "a", "b" } }));
        Assert.Throws<ArgumentException>(() => new Hashing(3).Apply(torch.tensor(new bool[] { true })));
    }
}
