using NUnit.Framework;
using Sharpkeras.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Foundation;

public class MnistEmbeddedTests
{
    [Test]
    public void Embedded10kHasTheReadmeShapes()
    {
        var ((x, y), (xt, yt)) = Mnist.LoadEmbedded10k();
        Assert.That(x.shape, Is.EqualTo(new long[] { 8000, 28, 28 }));
        Assert.That(xt.shape, Is.EqualTo(new long[] { 2000, 28, 28 }));
        Assert.That(x.dtype, Is.EqualTo(ScalarType.Byte));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(y.min().item<long>(), Is.EqualTo(0));
        Assert.That(y.max().item<long>(), Is.EqualTo(9));
        Assert.That(yt.shape, Is.EqualTo(new long[] { 2000 }));
        // real digits: ink on a dark background, every class present
        Assert.That(x.to(ScalarType.Float32).mean().item<float>(), Is.InRange(20f, 60f));
        Assert.That(y.bincount(null, 10).gt(500).all().item<bool>(), Is.True);
    }

    [Test]
    public void LoadDataFromAFolderWithIdxFiles()
    {
        var ((x, _), _) = Mnist.LoadData(path: Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "Sharpkeras.Datasets", "Resources", "mnist-10k"));
        Assert.That(x.shape[0], Is.EqualTo(8000));
    }

    [Test]
    public void CorruptIdxIsInvalidData()
    {
        var dir = Directory.CreateTempSubdirectory("sk-idx-").FullName;
        try
        {
            foreach (var f in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            {
                using var fs = File.Create(Path.Combine(dir, f));
                using var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest);
                gz.Write(new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 1, 2 }); // label magic, says 5 labels, holds 2
            }
            var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadData(path: dir));
            Assert.That(ex!.Message, Does.Contain("train-images-idx3-ubyte.gz"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
