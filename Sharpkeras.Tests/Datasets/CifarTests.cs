using NUnit.Framework;
using Sharpkeras.Datasets;
using Sharpkeras.Tests.Data.Fixtures;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Datasets;

public class CifarTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = FileFixtures.TempDir("cifar");

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    // Record pixel: plane ch (0 red, 1 green, 2 blue), position k = row * 32 + col: (seed + ch * 50 + k) % 256.
    private static byte Pixel(int seed, int ch, int k) => (byte)((seed + ch * 50 + k) % 256);

    private static byte[] Records(int labelBytes, params (byte[] Labels, int Seed)[] records)
    {
        var d = new List<byte>();
        foreach (var (labels, seed) in records)
        {
            if (labels.Length != labelBytes) throw new ArgumentException("label bytes");
            d.AddRange(labels);
            for (int ch = 0; ch < 3; ch++)
                for (int k = 0; k < 1024; k++) d.Add(Pixel(seed, ch, k));
        }
        return d.ToArray();
    }

    private (string Name, byte[] Data)[] Cifar10Members(byte[]? test = null) =>
    [
        .. Enumerable.Range(1, 5).Select(i => ($"cifar-10-batches-bin/data_batch_{i}.bin", Records(1, ([(byte)i], i * 10), ([(byte)(i + 4)], i * 10 + 1)))),
        ("cifar-10-batches-bin/test_batch.bin", test ?? Records(1, ([9], 200), ([0], 201), ([3], 202))),
        ("cifar-10-batches-bin/batches.meta.txt", "airplane\nautomobile\n"u8.ToArray()),
    ];

    [Test]
    public void Cifar10FromTheBinaryTarball()
    {
        FileFixtures.WriteTarGz(Path.Combine(_dir, "cifar-10-binary.tar.gz"), Cifar10Members());
        var ((x, y), (xt, yt)) = Cifar10.LoadData(_dir);
        Assert.That(x.shape, Is.EqualTo(new long[] { 10, 32, 32, 3 }));
        Assert.That(x.dtype, Is.EqualTo(ScalarType.Byte));
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Int64));
        // Batches in order 1..5, two records each: labels i, i + 4.
        Assert.That(y.data<long>().ToArray(), Is.EqualTo(new long[] { 1, 5, 2, 6, 3, 7, 4, 8, 5, 9 }));
        Assert.That(yt.data<long>().ToArray(), Is.EqualTo(new long[] { 9, 0, 3 }));
        // Record 3 is data_batch_2's second (seed 21). channels_last: x[n, row, col, ch] = plane ch at row * 32 + col.
        Assert.That(x[3, 2, 5, 1].item<byte>(), Is.EqualTo(Pixel(21, 1, 2 * 32 + 5)));  // (21 + 50 + 69) % 256 = 140
        Assert.That(x[3, 2, 5, 1].item<byte>(), Is.EqualTo((byte)140));
        Assert.That(xt[2, 31, 31, 2].item<byte>(), Is.EqualTo(Pixel(202, 2, 1023)));    // (202 + 100 + 1023) % 256 = 45
        // The tarball path itself works too.
        Assert.That(Cifar10.LoadData(Path.Combine(_dir, "cifar-10-binary.tar.gz")).Test.Y.shape[0], Is.EqualTo(3));
    }

    [Test]
    public void Cifar10FromTheExtractedFolder()
    {
        foreach (var (name, data) in Cifar10Members())
        {
            var p = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllBytes(p, data);
        }
        Assert.That(Cifar10.LoadData(_dir).Train.X.shape[0], Is.EqualTo(10));
        Assert.That(Cifar10.LoadData(Path.Combine(_dir, "cifar-10-batches-bin")).Train.X.shape[0], Is.EqualTo(10));
    }

    [Test]
    public void TruncatedRecordGarbageTarAndMissingMembersThrow()
    {
        var cut = Records(1, ([1], 1), ([2], 2))[..^100];
        FileFixtures.WriteTarGz(Path.Combine(_dir, "cifar-10-binary.tar.gz"), Cifar10Members(test: cut));
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10.LoadData(_dir));
        Assert.That(ex!.Message, Does.Contain("test_batch.bin").And.Contain("3073"));

        File.WriteAllBytes(Path.Combine(_dir, "cifar-10-binary.tar.gz"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 13)).ToArray());
        Assert.That(Assert.Throws<InvalidDataException>(() => Cifar10.LoadData(_dir))!.Message, Does.Contain("cifar-10-binary.tar.gz"));

        FileFixtures.WriteTarGz(Path.Combine(_dir, "cifar-10-binary.tar.gz"), Cifar10Members()[..3]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Cifar10.LoadData(_dir))!.Message, Does.Contain("data_batch_4.bin"));
    }

    [Test]
    public void Cifar10OfflineWithoutCacheSaysWhatToPutWhere()
    {
        var ex = Assert.Throws<IOException>(() => Cifar10.LoadData());
        Assert.That(ex!.Message, Does.Contain("cifar-10-binary.tar.gz").And.Contain(Cifar10.Origin)
            .And.Contain(Path.Combine(DatasetsSetUp.Home, "datasets", "cifar-10")));
    }

    [Test]
    public void Cifar100FineAndCoarseLabels()
    {
        FileFixtures.WriteTarGz(Path.Combine(_dir, "cifar-100-binary.tar.gz"),
            ("cifar-100-binary/train.bin", Records(2, ([4, 30], 1), ([19, 99], 2), ([0, 0], 3), ([7, 55], 4))),
            ("cifar-100-binary/test.bin", Records(2, ([11, 42], 5), ([2, 8], 6))),
            ("cifar-100-binary/fine_label_names.txt", "apple\n"u8.ToArray()));
        var ((x, y), (xt, yt)) = Cifar100.LoadData(path: _dir);
        Assert.That(x.shape, Is.EqualTo(new long[] { 4, 32, 32, 3 }));
        Assert.That(y.data<long>().ToArray(), Is.EqualTo(new long[] { 30, 99, 0, 55 }));
        Assert.That(yt.data<long>().ToArray(), Is.EqualTo(new long[] { 42, 8 }));
        var coarse = Cifar100.LoadData("coarse", _dir);
        Assert.That(coarse.Train.Y.data<long>().ToArray(), Is.EqualTo(new long[] { 4, 19, 0, 7 }));
        Assert.That(xt[1, 0, 1, 0].item<byte>(), Is.EqualTo(Pixel(6, 0, 1)));
        Assert.That(Assert.Throws<ArgumentException>(() => Cifar100.LoadData("medium", _dir))!.ParamName, Is.EqualTo("labelMode"));
        var ex = Assert.Throws<IOException>(() => Cifar100.LoadData());
        Assert.That(ex!.Message, Does.Contain("cifar-100-binary.tar.gz").And.Contain(Cifar100.Origin));
    }
}
