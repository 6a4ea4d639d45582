using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.Foundation;

public class SaveLoadTests
{
    private string _dir = "";

    [SetUp]
    public void Setup() => _dir = Directory.CreateTempSubdirectory("sk-save-").FullName;

    [TearDown]
    public void TearDown() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private static Sequential LeNet() => new(
        new Conv2D(6, kernelSize: 5, activation: "tanh", padding: "same", inputShape: [28, 28, 1]),
        new MaxPooling2D(2), new Conv2D(16, 5, activation: "tanh"), new MaxPooling2D(2), new Flatten(),
        new Dense(120, activation: "tanh"), new Dense(84, activation: "tanh"), new Dense(10, activation: "softmax"));

    [Test]
    public void SequentialRoundTripIsBitIdentical()
    {
        var m = LeNet();
        var x = torch.rand(3, 28, 28, 1);
        var before = m.Predict(x, verbose: 0);
        var path = Path.Combine(_dir, "lenet.skeras");
        m.Save(path);
        var loaded = Model.Load(path);
        Assert.That(loaded, Is.InstanceOf<Sequential>());
        Assert.That(loaded.CountParams(), Is.EqualTo(61_706));
        Assert.That(Same(loaded.Predict(x, verbose: 0), before), Is.True);
        using var zip = ZipFile.OpenRead(path);
        Assert.That(zip.Entries.Select(e => e.FullName), Is.EquivalentTo(new[] { "config.json", "model.safetensors" }));
        using var cfg = JsonDocument.Parse(zip.GetEntry("config.json")!.Open());
        Assert.That(cfg.RootElement.GetProperty("format_version").GetInt32(), Is.EqualTo(1));
        var classes = cfg.RootElement.GetProperty("config").GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("class_name").GetString()).ToList();
        Assert.That(classes, Does.Contain("Conv2D").And.Contain("Dense"));
    }

    [Test]
    public void FunctionalTwoInputsSharedLayerRoundTrip()
    {
        var a = Keras.Input(shape: [4]);
        var b = Keras.Input(shape: [4]);
        var shared = new Dense(3, activation: "relu");
        var h = new Dense(2).Apply(new Dense(5).Apply(shared.Apply(a)));
        var g = shared.Apply(b);
        var m = new Model([a, b], [h, g]);
        var xa = torch.randn(5, 4);
        var xb = torch.randn(5, 4);
        var before = m.Predict([xa, xb], verbose: 0);
        var path = Path.Combine(_dir, "f.skeras");
        m.Save(path);
        var loaded = Model.Load(path);
        var after = loaded.Predict([xa, xb], verbose: 0);
        Assert.That(Same(after[0], before[0]) && Same(after[1], before[1]), Is.True);
        Assert.That(loaded.CountParams(), Is.EqualTo(m.CountParams()));
    }

    [Test]
    public void WeightsFileIsPlainSafetensors()
    {
        var m = new Sequential(new Dense(3, inputShape: [2], name: "dense"));
        m.SetWeights([torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3), torch.tensor(new float[] { 7, 8, 9 })]);
        var path = Path.Combine(_dir, "w.safetensors");
        m.SaveWeights(path);
        // an independent minimal reader: u64 LE header length, JSON header, raw little-endian data
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var kernel = header.RootElement.GetProperty("dense/kernel");
        Assert.That(kernel.GetProperty("dtype").GetString(), Is.EqualTo("F32"));
        Assert.That(kernel.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 2, 3 }));
        var offs = kernel.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var values = Enumerable.Range(0, 6).Select(i => BitConverter.ToSingle(bytes, (int)(8 + n + offs[0] + 4 * i))).ToArray();
        Assert.That(values, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        var m2 = new Sequential(new Dense(3, inputShape: [2], name: "dense"));
        m2.LoadWeights(path);
        Assert.That(Same(m2.GetWeights()[1], torch.tensor(new float[] { 7, 8, 9 })), Is.True);
    }

    [Test]
    public void MalformedFilesAreRejectedAndLeaveTheModelUntouched()
    {
        var m = new Sequential(new Dense(3, inputShape: [2], name: "dense"));
        var good = Path.Combine(_dir, "good.safetensors");
        m.SaveWeights(good);
        var before = m.GetWeights();
        var bytes = File.ReadAllBytes(good);

        void Expect(byte[] data, string contains)
        {
            var p = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
            File.WriteAllBytes(p, data);
            var ex = Assert.Catch(() => m.LoadWeights(p));
            Assert.That(ex, Is.InstanceOf<InvalidDataException>().Or.InstanceOf<ArgumentException>());
            Assert.That(ex!.Message, Does.Contain(contains));
            var after = m.GetWeights();
            for (int i = 0; i < before.Count; i++) Assert.That(Same(after[i], before[i]), Is.True);
        }
        var huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue / 2);
        Expect(huge, "header length");
        Expect(bytes[..(bytes.Length - 4)], "offsets");
        var other = new Sequential(new Dense(4, inputShape: [2], name: "dense"));
        var wrong = Path.Combine(_dir, "wrong.safetensors");
        other.SaveWeights(wrong);
        Expect(File.ReadAllBytes(wrong), "dense/kernel");
        var badJson = (byte[])bytes.Clone();
        badJson[9] = (byte)'#';
        Expect(badJson, "JSON");
    }

    [Test]
    public void ArchiveWithUnexpectedEntryIsRejected()
    {
        var m = new Sequential(new Dense(2, inputShape: [2]));
        var path = Path.Combine(_dir, "m.skeras");
        m.Save(path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update)) zip.CreateEntry("../evil.txt");
        var ex = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.That(ex!.Message, Does.Contain("../evil.txt"));
    }

}
