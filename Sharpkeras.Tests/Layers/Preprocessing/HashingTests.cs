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
    public void ConfigRoundTripsAndBadArgumentsThrow()
    {
        var back = (Hashing)MiscTestUtils.Rebuild(new Hashing(5, maskValue: 3));
        Assert.That(back.NumBins, Is.EqualTo(5));
        Assert.That(back.MaskValue, Is.EqualTo(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Hashing(0));
        Assert.Throws<ArgumentException>(() => new Hashing(3, salt: [1, 2]));
        Assert.Throws<ArgumentException>(() => new Hashing(3, outputMode: "one_hot"));
        Assert.Throws<ArgumentException>(() => new Hashing(3).Apply(torch.tensor(new bool[] { true })));
    }
}
