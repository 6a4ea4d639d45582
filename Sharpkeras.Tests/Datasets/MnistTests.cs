using NUnit.Framework;
using Sharpkeras.Datasets;
using Sharpkeras.Tests.Data.Fixtures;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Datasets;

public class MnistTests
{
    private string _dir = "";

    // Pixel (i, r, c) = (i * 7 + r * 3 + c) % 256; labels 3, 1, 4, 1, 5 (train) and 9, 2 (test).
    private static byte Pixel(int i, int r, int c) => (byte)((i * 7 + r * 3 + c) % 256);

    [SetUp]
    public void SetUp() => _dir = FileFixtures.TempDir("mnist");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private void WriteIdxFiles(string dir, bool gzip = true, byte[]? trainImages = null)
    {
        byte[] Z(byte[] d) => gzip ? FileFixtures.Gzip(d) : d;
        string N(string f) => gzip ? f : f[..^3];
        File.WriteAllBytes(Path.Combine(dir, N("train-images-idx3-ubyte.gz")), Z(trainImages ?? FileFixtures.IdxImages(5, 28, 28, Pixel)));
        File.WriteAllBytes(Path.Combine(dir, N("train-labels-idx1-ubyte.gz")), Z(FileFixtures.IdxLabels(3, 1, 4, 1, 5)));
        File.WriteAllBytes(Path.Combine(dir, N("t10k-images-idx3-ubyte.gz")), Z(FileFixtures.IdxImages(2, 28, 28, (i, r, c) => Pixel(i + 100, r, c))));
        File.WriteAllBytes(Path.Combine(dir, N("t10k-labels-idx1-ubyte.gz")), Z(FileFixtures.IdxLabels(9, 2)));
    }

    [Test]
    public void ReadsTheFourIdxFilesFromAFolder()
    {
        WriteIdxFiles(_dir);
        var ((x, y), (xt, yt)) = Mnist.LoadData(path: _dir);
        Assert.That(x.shape, Is.EqualTo(new long[] { 5, 28, 28 }));
        Assert.That(x.dtype, Is.EqualTo(ScalarType.Byte));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(y.data<long>().ToArray(), Is.EqualTo(new long[] { 3, 1, 4, 1, 5 }));
        Assert.That(yt.data<long>().ToArray(), Is.EqualTo(new long[] { 9, 2 }));
        Assert.That(x[2, 5, 7].item<byte>(), Is.EqualTo(Pixel(2, 5, 7)));         // (14 + 15 + 7) % 256 = 36
        Assert.That(x[2, 5, 7].item<byte>(), Is.EqualTo((byte)36));
        Assert.That(xt[1, 27, 27].item<byte>(), Is.EqualTo(Pixel(101, 27, 27)));  // (707 + 81 + 27) % 256 = 47
        Assert.That(xt[1, 27, 27].item<byte>(), Is.EqualTo((byte)47));
    }

    [Test]
    public void ReadsUncompressedFilesAndNpz()
    {
        WriteIdxFiles(_dir, gzip: false);
        Assert.That(Mnist.LoadData(_dir).Train.X.shape[0], Is.EqualTo(5));

        var npzDir = FileFixtures.TempDir("npz");
        try
        {
            var x = FileFixtures.IdxImages(3, 28, 28, Pixel)[16..];
            var npz = Path.Combine(npzDir, "mnist.npz");
            FileFixtures.WriteNpz(npz,
                ("x_train", FileFixtures.Npy("|u1", [3, 28, 28], x)),
                ("y_train", FileFixtures.Npy("|u1", [3], [7, 0, 2])),
                ("x_test", FileFixtures.Npy("|u1", [1, 28, 28], x[..784])),
                ("y_test", FileFixtures.Npy("|u1", [1], [6])));
            var ((xt, yt), (xs, ys)) = Mnist.LoadData(npzDir);
            Assert.That(xt.shape, Is.EqualTo(new long[] { 3, 28, 28 }));
            Assert.That(yt.data<long>().ToArray(), Is.EqualTo(new long[] { 7, 0, 2 }));
            Assert.That(ys.data<long>().ToArray(), Is.EqualTo(new long[] { 6 }));
            Assert.That(xt[1, 2, 3].item<byte>(), Is.EqualTo(Pixel(1, 2, 3)));
            Assert.That(Mnist.LoadData(npz).Test.X.shape, Is.EqualTo(new long[] { 1, 28, 28 }));
        }
        finally
        {
            Directory.Delete(npzDir, true);
        }
    }

    [Test]
    public void BadMagicThrowsNamingTheFile()
    {
        var bad = FileFixtures.IdxImages(5, 28, 28, Pixel);
        bad[3] = 0x99;
        WriteIdxFiles(_dir, trainImages: bad);
        var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadData(_dir));
        Assert.That(ex!.Message, Does.Contain("train-images-idx3-ubyte.gz").And.Contain("magic"));
    }

    [Test]
    public void CountNotMatchingLengthThrows()
    {
        var truncated = FileFixtures.IdxImages(5, 28, 28, Pixel)[..^100];
        WriteIdxFiles(_dir, trainImages: truncated);
        var ex = Assert.Throws<InvalidDataException>(() => Mnist.LoadData(_dir));
        Assert.That(ex!.Message, Does.Contain("train-images-idx3-ubyte.gz").And.Contain("5 images"));
    }

    [Test]
    public void GarbageGzipAndMismatchedCountsThrow()
    {
        WriteIdxFiles(_dir);
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), [0x1f, 0x8b, 1, 2, 3, 4, 5]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Mnist.LoadData(_dir))!.Message, Does.Contain("t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), FileFixtures.Gzip(FileFixtures.IdxLabels(9, 2, 2)));
        Assert.That(Assert.Throws<InvalidDataException>(() => Mnist.LoadData(_dir))!.Message, Does.Contain("3 labels"));
        File.Delete(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"));
        Assert.That(Assert.Throws<FileNotFoundException>(() => Mnist.LoadData(_dir))!.Message, Does.Contain("t10k-labels-idx1-ubyte.gz"));
        Assert.Throws<DirectoryNotFoundException>(() => Mnist.LoadData(Path.Combine(_dir, "missing")));
    }

    [Test]
    public void FallsBackToTheEmbeddedMnist10kOffline()
    {
        var old = Console.Out;
        var sw = new StringWriter();
        Console.SetOut(sw);
        ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) data;
        try
        {
            data = Mnist.LoadData();
        }
        finally
        {
            Console.SetOut(old);
        }
        Assert.That(sw.ToString(), Does.Contain("Using the embedded MNIST-10k subset (8,000 train / 2,000 test)"));
        var ((x, y), (xt, yt)) = data;
        // README: train 8000 x 28 x 28 bytes, test 2000 x 28 x 28, labels 0-9.
        Assert.That(x.shape, Is.EqualTo(new long[] { 8000, 28, 28 }));
        Assert.That(xt.shape, Is.EqualTo(new long[] { 2000, 28, 28 }));
        Assert.That(x.dtype, Is.EqualTo(ScalarType.Byte));
        Assert.That(y.shape, Is.EqualTo(new long[] { 8000 }));
        Assert.That(yt.shape, Is.EqualTo(new long[] { 2000 }));
        Assert.That(y.min().item<long>(), Is.EqualTo(0));
        Assert.That(y.max().item<long>(), Is.EqualTo(9));
        Assert.That(torch.unique(yt).Item1.numel(), Is.EqualTo(10), "every digit appears in the test split");
        Assert.That(x.max().item<byte>(), Is.EqualTo((byte)255));
        // Real digits: ink covers roughly a fifth of the 28x28 canvas, the border is blank.
        double ink = (x > 0).to(ScalarType.Float32).mean().item<float>();
        Assert.That(ink, Is.InRange(0.1, 0.3));
        Assert.That(x[.., 0, ..].sum().item<long>(), Is.EqualTo(0));
        var embedded = Mnist.LoadEmbedded();
        Assert.That(embedded.Train.Y.data<long>().ToArray(), Is.EqualTo(y.data<long>().ToArray()));
    }

    [Test]
    public void FashionMnistReadsAFolderAndFailsOfflineSayingWhatToPutWhere()
    {
        WriteIdxFiles(_dir);
        var ((x, y), _) = FashionMnist.LoadData(_dir);
        Assert.That(x.shape, Is.EqualTo(new long[] { 5, 28, 28 }));
        Assert.That(y.data<long>().ToArray(), Is.EqualTo(new long[] { 3, 1, 4, 1, 5 }));
        var saved = FashionMnist.SystemFolders;
        try
        {
            // As on a machine without Debian's dataset-fashion-mnist package.
            FashionMnist.SystemFolders = [Path.Combine(_dir, "not-installed")];
            var ex = Assert.Throws<IOException>(() => FashionMnist.LoadData());
            Assert.That(ex!.Message, Does.Contain("train-images-idx3-ubyte.gz").And.Contain(FashionMnist.OriginFolder)
                .And.Contain(Path.Combine(DatasetsSetUp.Home, "datasets", "fashion-mnist"))
                .And.Contain("apt-get install dataset-fashion-mnist"));
        }
        finally { FashionMnist.SystemFolders = saved; }
    }

    [Test]
    public void FashionMnistFindsTheInstalledPackageWhenTheCacheLacksIt()
    {
        Assert.That(FashionMnist.SystemFolder, Is.EqualTo("/usr/share/datasets/fashion-mnist"), "where Debian's package puts the files");
        var installed = Path.Combine(_dir, "usr-share-datasets-fashion-mnist");
        Directory.CreateDirectory(installed);
        WriteIdxFiles(installed);
        var saved = FashionMnist.SystemFolders;
        try
        {
            FashionMnist.SystemFolders = [Path.Combine(_dir, "absent"), installed];
            Assert.That(FashionMnist.InstalledFolder(), Is.EqualTo(installed));
            var ((x, y), (xt, _)) = FashionMnist.LoadData();
            Assert.That(x.shape, Is.EqualTo(new long[] { 5, 28, 28 }));
            Assert.That(y.data<long>().ToArray(), Is.EqualTo(new long[] { 3, 1, 4, 1, 5 }));
            Assert.That(xt.shape[0], Is.GreaterThan(0));
            // A folder with only some of the files is not an installation.
            File.Delete(Path.Combine(installed, "t10k-labels-idx1-ubyte.gz"));
            Assert.That(FashionMnist.InstalledFolder(), Is.Null);
        }
        finally { FashionMnist.SystemFolders = saved; }
    }
}
