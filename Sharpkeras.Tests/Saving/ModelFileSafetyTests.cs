using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

/// <summary>A .skeras file is untrusted input: every malformed variant fails with InvalidDataException.</summary>
public class ModelFileSafetyTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 5;

    private string _good = "";
    private List<(string Name, byte[] Data)> _entries = new();

    [SetUp]
    public void SetUp()
    {
        _good = Path.Combine(Dir, "good.skeras");
        var model = SmallSequential();
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        model.TrainOnBatch(torch.randn(4, 4), torch.tensor(new long[] { 0, 1, 2, 1 }));
        model.Save(_good);
        _entries = ReadZip(_good);
    }

    [TearDown]
    public void TearDown() => AtomicFile.BeforeRename = null;

    private string Variant(IEnumerable<(string Name, byte[] Data)> entries)
    {
        var p = Path.Combine(Dir, $"v{Guid.NewGuid():N}.skeras");
        WriteZip(p, entries);
        return p;
    }

    private string ConfigVariant(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(_entries[0].Data)!.AsObject();
        edit(root);
        return Variant(_entries.Select(e => e.Name == "config.json" ? (e.Name, Encoding.UTF8.GetBytes(root.ToJsonString())) : e));
    }

    private static void ExpectInvalid(string path, string fragment)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Model.Load(path))!;
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void GoodFileLoads() => Assert.That(Model.Load(_good).Layers.Count, Is.EqualTo(3));

    [Test]
    public void PathTraversalEntryIsRejected() => ExpectInvalid(Variant(_entries.Append(("../evil.txt", [1]))), "unsafe entry name");

    [Test]
    public void AbsoluteEntryIsRejected() => ExpectInvalid(Variant(_entries.Append(("/etc/evil", [1]))), "unsafe entry name");

    [Test]
    public void BackslashEntryIsRejected() => ExpectInvalid(Variant(_entries.Append(("a\\b", [1]))), "unsafe entry name");

    [Test]
    public void UnexpectedEntryIsRejected() => ExpectInvalid(Variant(_entries.Append(("extra.txt", [1]))), "unexpected entry 'extra.txt'");

    [Test]
    public void DuplicateEntryIsRejected() => ExpectInvalid(Variant(_entries.Append(_entries[1])), "twice");

    [Test]
    public void MissingConfigIsRejected() => ExpectInvalid(Variant(_entries.Skip(1)), "no 'config.json'");

    [Test]
    public void MissingWeightsIsRejected() => ExpectInvalid(Variant(_entries.Where(e => e.Name != "model.safetensors")), "no 'model.safetensors'");

    [Test]
    public void NotAZipIsRejected()
    {
        var p = Path.Combine(Dir, "junk.skeras");
        File.WriteAllBytes(p, Encoding.UTF8.GetBytes("this is not a zip file at all, just text"));
        ExpectInvalid(p, "not a valid .skeras");
    }

    [Test]
    public void TruncatedZipIsRejected()
    {
        var p = Path.Combine(Dir, "trunc.skeras");
        var bytes = File.ReadAllBytes(_good);
        File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => Model.Load(p));
    }

    [Test]
    public void ConfigNotJsonIsRejected() =>
        ExpectInvalid(Variant(_entries.Select(e => e.Name == "config.json" ? (e.Name, Encoding.UTF8.GetBytes("{ not json")) : e)), "not valid UTF-8 JSON");

    [Test]
    public void UnknownClassIsRejectedByName() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["class_name"] = "EvilLayer"), "EvilLayer");

    [Test]
    public void ArbitraryDotNetTypeIsNeverInstantiated()
    {
        // A file naming a .NET type (even one with a public parameterless constructor) is refused.
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["class_name"] = "System.Diagnostics.Process"), "System.Diagnostics.Process");
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["class_name"] = "Process"), "Process");
        ExpectInvalid(ConfigVariant(r => r["compile_config"]!["optimizer"]!["class_name"] = "FileInfo"), "FileInfo");
    }

    [Test]
    public void BadConfigValueIsRejectedWithTheKey() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["config"]!["units"] = "many"), "units");

    [Test]
    public void InvalidConfigValueIsRejectedWithTheLayersMessage() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["config"]!["units"] = -3), "units");

    [Test]
    public void UnknownConfigKeyIsRejected() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["config"]!["frobnicate"] = 1), "frobnicate");

    [Test]
    public void ConfigCannotMakeTheLoaderAllocateHugeWeights()
    {
        // A 4 x 1e9 kernel from a file holding a few hundred values: refused before anything is allocated (the load
        // budget's own message says so; a 16 GB allocation would fail differently or exhaust the machine).
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["config"]!["units"] = 1_000_000_000), "more values than the file's weights hold");
    }

    [Test]
    public void AbsurdInputShapeIsRejected() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![0]!["config"]!["batch_shape"] = JsonNode.Parse("[null, 100000, 100000]")), "values per sample");

    [Test]
    public void WeightsThatDoNotFitTheConfigAreRejected() =>
        ExpectInvalid(ConfigVariant(r => r["config"]!["layers"]![1]!["config"]!["units"] = 7), "do not fit the model");

    [Test]
    public void UnknownOptimizerStateIsRejected()
    {
        // An optimizer entry from another optimizer (SGD) does not fit the Adam state.
        var root = JsonNode.Parse(_entries[0].Data)!.AsObject();
        root["compile_config"]!["optimizer"]!["class_name"] = "SGD";
        var cfg = root["compile_config"]!["optimizer"]!["config"]!.AsObject();
        foreach (var k in new[] { "beta_1", "beta_2", "epsilon", "amsgrad" }) cfg.Remove(k);
        var p = Variant(_entries.Select(e => e.Name == "config.json" ? (e.Name, Encoding.UTF8.GetBytes(root.ToJsonString())) : e));
        ExpectInvalid(p, "optimizer state");
    }

    [Test]
    public void MalformedGraphReferencesAreRejected()
    {
        var input = Keras.Input(shape: [4], name: "x");
        var model = new Model(input, new Sharpkeras.Layers.Dense(2, name: "d").Apply(input));
        var path = Path.Combine(Dir, "f.skeras");
        model.Save(path);
        var entries = ReadZip(path);
        string Edit(Action<JsonObject> edit)
        {
            var root = JsonNode.Parse(entries[0].Data)!.AsObject();
            edit(root);
            return Variant(entries.Select(e => e.Name == "config.json" ? (e.Name, Encoding.UTF8.GetBytes(root.ToJsonString())) : e));
        }
        ExpectInvalid(Edit(r => r["config"]!["layers"]![1]!["inbound_nodes"] = JsonNode.Parse("[[[\"ghost\",0,0]]]")), "unknown layer 'ghost'");
        ExpectInvalid(Edit(r => r["config"]!["layers"]![1]!["inbound_nodes"] = JsonNode.Parse("[[[\"x\",5,0]]]")), "can never be computed");
        ExpectInvalid(Edit(r => r["config"]!["layers"]![1]!["inbound_nodes"] = JsonNode.Parse("[[[\"d\",0,0]]]")), "can never be computed");
        ExpectInvalid(Edit(r => r["config"]!["layers"]![1]!["inbound_nodes"] = JsonNode.Parse("[[\"x\"]]")), "tensor reference");
        ExpectInvalid(Edit(r => r["config"]!["output_layers"] = JsonNode.Parse("[[\"d\",0,3]]")), "tensor 3");
    }

    [Test]
    public void ZipBombDeclaringImpossibleSizeIsRejected()
    {
        // Declared uncompressed sizes are checked against what deflate can produce before anything is read.
        var p = Path.Combine(Dir, "bomb.skeras");
        using (var zip = ZipFile.Open(p, ZipArchiveMode.Create))
        {
            foreach (var (name, data) in _entries.Where(e => e.Name != "model.safetensors"))
                using (var s = zip.CreateEntry(name).Open()) s.Write(data);
            using var w = zip.CreateEntry("model.safetensors", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) w.Write(zeros); // 64 MiB of zeros: not a safetensors file
        }
        Assert.That(new FileInfo(p).Length, Is.LessThan(1 << 20));
        Assert.Throws<InvalidDataException>(() => Model.Load(p));
    }

    // ------------------------------------------------------------------------------ atomic save

    private static string[] TempLeftovers(string dir) => Directory.GetFiles(dir, "*.tmp");

    [Test]
    public void FailedSaveKeepsThePreviousFileAndLeavesNoTemporary()
    {
        var before = File.ReadAllBytes(_good);
        var bad = new Sequential(new Sharpkeras.Layers.Dense(2, inputShape: [3]), new UnsavableLayer());
        var ex = Assert.Throws<InvalidOperationException>(() => bad.Save(_good))!;
        Assert.That(ex.Message, Does.Contain("fn").And.Contain("never stores code"));
        Assert.That(File.ReadAllBytes(_good), Is.EqualTo(before));
        Assert.That(TempLeftovers(Dir), Is.Empty);
    }

    [Test]
    public void SaveInterruptedAfterWritingKeepsThePreviousFile()
    {
        var before = File.ReadAllBytes(_good);
        string? seen = null;
        AtomicFile.BeforeRename = tmp => { seen = tmp; throw new IOException("simulated crash before rename"); };
        var other = SmallSequential();
        Assert.Throws<IOException>(() => other.Save(_good));
        Assert.That(seen, Is.Not.Null);
        Assert.That(Path.GetDirectoryName(seen), Is.EqualTo(Path.GetDirectoryName(Path.GetFullPath(_good))), "the temporary file is in the target's folder");
        Assert.That(File.ReadAllBytes(_good), Is.EqualTo(before));
        Assert.That(TempLeftovers(Dir), Is.Empty);
    }

    [Test]
    public void InterruptedWriteMidStreamKeepsThePreviousFile()
    {
        var before = File.ReadAllBytes(_good);
        Assert.Throws<IOException>(() => AtomicFile.Write(_good, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full");
        }));
        Assert.That(File.ReadAllBytes(_good), Is.EqualTo(before));
        Assert.That(TempLeftovers(Dir), Is.Empty);
    }

    [Test]
    public void SaveArgumentChecks()
    {
        var m = SmallSequential();
        Assert.Throws<ArgumentException>(() => m.Save(Path.Combine(Dir, "m.h5")));
        Assert.Throws<IOException>(() => m.Save(_good, overwrite: false));
        Assert.Throws<DirectoryNotFoundException>(() => m.Save(Path.Combine(Dir, "missing", "m.skeras")));
        Directory.CreateDirectory(Path.Combine(Dir, "d.skeras"));
        Assert.Throws<IOException>(() => m.Save(Path.Combine(Dir, "d.skeras")));
        Assert.Throws<FileNotFoundException>(() => Model.Load(Path.Combine(Dir, "none.skeras")));
    }
}
