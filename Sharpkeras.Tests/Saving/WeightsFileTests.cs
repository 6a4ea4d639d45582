using System.Text;
using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Saving;

public class WeightsFileTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 11;


    [Test]
    public void SaveWeightsWritesSafetensorsAnIndependentReaderUnderstands()
    {
        var model = SmallSequential();
        var path = Path.Combine(Dir, "w.safetensors");
        model.SaveWeights(path);
        var bytes = File.ReadAllBytes(path);

        var (header, dataStart, _) = ReadRaw(bytes);
        using (header)
        {
            // Header length is padded so the data starts 8-byte aligned; names are layer paths.
            Assert.That(dataStart % 8, Is.EqualTo(0));
            var names = header.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.That(names, Is.EquivalentTo(new[] { "__metadata__", "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias" }));
            Assert.That(header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString(), Is.EqualTo("sharpkeras"));
            // dense/kernel is (4, 8) float32: 4*8*4 = 128 bytes; dense/bias (8,): 32 bytes; data tiles the rest of the file.
            var k = header.RootElement.GetProperty("dense/kernel");
            var off = k.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.That(off[1] - off[0], Is.EqualTo(128));
            long total = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
                .Sum(p => p.Value.GetProperty("data_offsets")[1].GetInt64() - p.Value.GetProperty("data_offsets")[0].GetInt64());
            Assert.That(dataStart + total, Is.EqualTo(bytes.Length));
        }
        var (shape, values) = RawF32(bytes, "dense/kernel");
        Assert.That(shape, Is.EqualTo(new long[] { 4, 8 }));
        var expected = model.GetWeights()[0].data<float>().ToArray();
        Assert.That(values, Is.EqualTo(expected));
    }

    [Test]
    public void WeightsAreStoredInKerasLayout()
    {
        var input = Keras.Input(shape: [3]);
        var layer = new PermutedKernel(5, name: "perm");
        var model = new Model(input, layer.Apply(input));
        var path = Path.Combine(Dir, "p.safetensors");
        model.SaveWeights(path);
        var (shape, values) = RawF32(File.ReadAllBytes(path), "perm/kernel");
        // Keras shape (2, in=3, units=5) although the live tensor is (5, 3, 2).
        Assert.That(layer.Kernel.Value.shape, Is.EqualTo(new long[] { 5, 3, 2 }));
        Assert.That(shape, Is.EqualTo(new long[] { 2, 3, 5 }));
        // Element [i, j, u] of the Keras layout is element [u, j, i] of the torch tensor.
        var live = layer.Kernel.Value;
        Assert.That(values[1 * 15 + 2 * 5 + 4], Is.EqualTo(live[4, 2, 1].item<float>()));
        Assert.That(values[0 * 15 + 1 * 5 + 3], Is.EqualTo(live[3, 1, 0].item<float>()));

        // And back: a fresh model loads it and computes the same outputs.
        var input2 = Keras.Input(shape: [3]);
        var model2 = new Model(input2, new PermutedKernel(5, name: "perm").Apply(input2));
        model2.LoadWeights(path);
        var x = torch.randn(4, 3);
        Assert.That(BitEqual(model.PredictOnBatch(x), model2.PredictOnBatch(x)), Is.True);
    }

    [Test]
    public void LoadWeightsRestoresEveryWeightBitForBit()
    {
        var a = SmallSequential();
        var path = Path.Combine(Dir, "a.safetensors");
        a.SaveWeights(path);
        var b = SmallSequential(); // other names (dense_2, dense_3) and other initial values
        Assert.That(BitEqual(a.GetWeights()[0], b.GetWeights()[0]), Is.False);
        b.LoadWeights(path);
        AssertWeightsBitEqual(a.GetWeights(), b.GetWeights());
        var x = torch.randn(5, 4);
        Assert.That(BitEqual(a.PredictOnBatch(x), b.PredictOnBatch(x)), Is.True);
    }

    [Test]
    public void LoadWeightsAcceptsASkerasFile()
    {
        var a = SmallSequential();
        var path = Path.Combine(Dir, "m.skeras");
        a.Save(path);
        var b = SmallSequential();
        b.LoadWeights(path);
        AssertWeightsBitEqual(a.GetWeights(), b.GetWeights());
    }

    [Test]
    public void ShapeMismatchNamesTheWeightAndBothShapesAndChangesNothing()
    {
        var a = SmallSequential(inputs: 4);
        var path = Path.Combine(Dir, "a.safetensors");
        a.SaveWeights(path);
        var b = SmallSequential(inputs: 6); // dense/kernel (6, 8) instead of (4, 8); everything else fits
        var before = b.GetWeights();
        var ex = Assert.Throws<ArgumentException>(() => b.LoadWeights(path))!;
        Assert.That(ex.Message, Does.Contain("kernel").And.Contain("(6, 8)").And.Contain("(4, 8)"));
        AssertWeightsBitEqual(before, b.GetWeights());
    }

    [Test]
    public void MissingAndExtraWeightsAreNamed()
    {
        var a = SmallSequential();
        var path = Path.Combine(Dir, "a.safetensors");
        a.SaveWeights(path);
        Keras.ClearSession();
        var b = new Sequential(new Dense(8, activation: "relu", inputShape: [4]), new Dense(3), new Dense(2));
        var ex = Assert.Throws<ArgumentException>(() => b.LoadWeights(path))!;
        Assert.That(ex.Message, Does.Contain("dense_2/kernel"));
        Assert.That(ex.Message, Does.Contain("(6)").And.Contain("(4)"));
    }

    [Test]
    public void WrongDTypeIsRejected()
    {
        var model = SmallSequential();
        var path = Path.Combine(Dir, "i.safetensors");
        // Same names and shapes as the model, but int64 values.
        var header = """
        {"dense/kernel":{"dtype":"I64","shape":[4,8],"data_offsets":[0,256]},"dense/bias":{"dtype":"F32","shape":[8],"data_offsets":[256,288]},
         "dense_1/kernel":{"dtype":"F32","shape":[8,3],"data_offsets":[288,384]},"dense_1/bias":{"dtype":"F32","shape":[3],"data_offsets":[384,396]}}
        """;
        WriteRawSafeTensors(path, header, new byte[396]);
        var before = model.GetWeights();
        var ex = Assert.Throws<ArgumentException>(() => model.LoadWeights(path))!;
        Assert.That(ex.Message, Does.Contain("dense/kernel").And.Contain("int64"));
        AssertWeightsBitEqual(before, model.GetWeights());
    }

    [Test]
    public void LoadWeightsIntoUnbuiltModelExplains()
    {
        var a = SmallSequential();
        var path = Path.Combine(Dir, "a.safetensors");
        a.SaveWeights(path);
        var b = new Sequential(new Dense(8), new Dense(3));
        var ex = Assert.Throws<ArgumentException>(() => b.LoadWeights(path))!;
        Assert.That(ex.Message, Does.Contain("no weights yet"));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var m = SmallSequential();
        Assert.Throws<ArgumentException>(() => m.SaveWeights(Path.Combine(Dir, "w.h5")));
        Assert.Throws<FileNotFoundException>(() => m.LoadWeights(Path.Combine(Dir, "none.safetensors")));
        Assert.Throws<DirectoryNotFoundException>(() => m.SaveWeights(Path.Combine(Dir, "no", "such", "w.safetensors")));
        var p = Path.Combine(Dir, "w.safetensors");
        m.SaveWeights(p);
        Assert.Throws<IOException>(() => m.SaveWeights(p, overwrite: false));
    }

    // ------------------------------------------------------------------------------ malformed files

    private const string GoodEntry = "\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}";

    private static IEnumerable<TestCaseData> MalformedFiles()
    {
        TestCaseData Case(string name, string header, int dataBytes, ulong? declared = null, string? expect = null) =>
            new TestCaseData(header, dataBytes, declared, expect ?? "").SetName($"Malformed_{name}");
        yield return Case("HeaderLongerThanFile", "{" + GoodEntry + "}", 32, declared: 10_000, expect: "exceeds");
        yield return Case("HeaderLengthHuge", "{" + GoodEntry + "}", 32, declared: ulong.MaxValue - 3, expect: "exceeds");
        yield return Case("HeaderNotJson", "{\"dense/bias\": [", 32, expect: "not valid JSON");
        yield return Case("HeaderNotObject", "[1, 2, 3]", 0, expect: "JSON object");
        yield return Case("UnknownDType", "{\"dense/bias\":{\"dtype\":\"F128\",\"shape\":[8],\"data_offsets\":[0,32]}}", 32, expect: "F128");
        yield return Case("NegativeDim", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[-8],\"data_offsets\":[0,32]}}", 32, expect: "dimension");
        yield return Case("FractionalDim", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8.5],\"data_offsets\":[0,32]}}", 32, expect: "dimension");
        yield return Case("OffsetPastEnd", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,64]}}", 32, expect: "past the end");
        yield return Case("OffsetsReversed", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[32,0]}}", 32, expect: "invalid data_offsets");
        yield return Case("SizeDoesNotMatchShape", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[9],\"data_offsets\":[0,32]}}", 32, expect: "needs 36 bytes");
        yield return Case("ShapeOverflows", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,32]}}", 32, expect: "2^63");
        yield return Case("Overlap",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]},\"b\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[16,48]}}", 48, expect: "overlaps");
        yield return Case("Gap", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[8,40]}}", 40, expect: "gap");
        yield return Case("TrailingBytes", "{" + GoodEntry + "}", 40, expect: "cover 32 bytes");
        yield return Case("DuplicateName", "{" + GoodEntry + "," + GoodEntry + "}", 32, expect: "twice");
        yield return Case("MetadataNotStrings", "{\"__metadata__\":{\"format\":1}," + GoodEntry + "}", 32, expect: "__metadata__");
        yield return Case("ExtraField", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32],\"evil\":1}}", 32, expect: "evil");
        yield return Case("MissingOffsets", "{\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[8]}}", 32, expect: "data_offsets");
        yield return Case("EntryNotObject", "{\"dense/bias\":5}", 32, expect: "must be an object");
    }

    [TestCaseSource(nameof(MalformedFiles))]
    public void MalformedFileIsInvalidDataAndModelUntouched(string header, int dataBytes, ulong? declared, string expect)
    {
        var model = SmallSequential();
        var before = model.GetWeights();
        var path = Path.Combine(Dir, "bad.safetensors");
        WriteRawSafeTensors(path, header, new byte[dataBytes], declared);
        var ex = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path))!;
        Assert.That(ex.Message, Does.Contain(expect));
        AssertWeightsBitEqual(before, model.GetWeights());
    }

    [Test]
    public void TooShortAndNonUtf8FilesAreInvalidData()
    {
        var model = SmallSequential();
        var p1 = Path.Combine(Dir, "short.safetensors");
        File.WriteAllBytes(p1, [1, 2, 3]);
        Assert.That(Assert.Throws<InvalidDataException>(() => model.LoadWeights(p1))!.Message, Does.Contain("too short"));
        var p2 = Path.Combine(Dir, "utf.safetensors");
        var bad = new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', 0xff, 0xfe, (byte)'}', 32, 32, 32, 32 };
        File.WriteAllBytes(p2, bad);
        Assert.That(Assert.Throws<InvalidDataException>(() => model.LoadWeights(p2))!.Message, Does.Contain("UTF-8"));
    }

    [Test]
    public void BoolTensorsMustHoldZeroOrOne()
    {
        var path = Path.Combine(Dir, "b.safetensors");
        WriteRawSafeTensors(path, "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", [1, 2, 0]);
        using (var fs = File.OpenRead(path))
            Assert.Throws<InvalidDataException>(() => SafeTensors.Read(fs, "b"));
        WriteRawSafeTensors(path, "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", [1, 1, 0]);
        using var fs2 = File.OpenRead(path);
        using var f = SafeTensors.Read(fs2, "b");
        Assert.That(f.Tensors[0].Value.dtype, Is.EqualTo(ScalarType.Bool));
        Assert.That(f.Tensors[0].Value.data<bool>().ToArray(), Is.EqualTo(new[] { true, true, false }));
    }

    [Test]
    public void ReaderRoundTripsEveryDTypeAndZeroSizedTensors()
    {
        var tensors = new List<(string, Tensor)>
        {
            ("f64", torch.tensor(new[] { 1.5, -2.25 })), ("f16", torch.tensor(new[] { 0.5f, 3f }).to(ScalarType.Float16)),
            ("bf16", torch.tensor(new[] { 1f, -1f }).to(ScalarType.BFloat16)), ("i64", torch.tensor(new long[] { long.MaxValue, -1 })),
            ("i32", torch.tensor(new[] { 7, -7 })), ("i16", torch.tensor(new short[] { 300, -300 })), ("i8", torch.tensor(new sbyte[] { -5, 5 })),
            ("u8", torch.tensor(new byte[] { 250, 1 })), ("bool", torch.tensor(new[] { true, false })), ("empty", torch.zeros(0, 3)),
            ("scalar", torch.tensor(3.5f)),
        };
        var ms = new MemoryStream();
        SafeTensors.Write(ms, tensors, new Dictionary<string, string> { ["k"] = "v" });
        ms.Position = 0;
        using var f = SafeTensors.Read(ms, "mem");
        Assert.That(f.Metadata["k"], Is.EqualTo("v"));
        Assert.That(f.Tensors.Select(t => t.Name), Is.EqualTo(tensors.Select(t => t.Item1)));
        foreach (var (name, t) in tensors)
        {
            Assert.That(f.TryGet(name, out var r), Is.True);
            Assert.That(BitEqual(t, r), Is.True, name);
        }
    }
}
