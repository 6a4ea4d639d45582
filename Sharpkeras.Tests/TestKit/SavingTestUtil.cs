using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>Helpers shared by the saving tests: temp folders, an independent safetensors reader, zip rewriting.</summary>
internal static class SavingTestUtil
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "sharpkeras-saving-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A minimal safetensors reader written from the format description, independent of the library's.</summary>
    public static (JsonDocument header, long dataStart, byte[] file) ReadRaw(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, (int)n));
        return (header, 8 + (long)n, file);
    }

    /// <summary>The float32 values of tensor <paramref name="name"/> read straight from the bytes.</summary>
    public static (long[] shape, float[] values) RawF32(byte[] file, string name)
    {
        var (header, dataStart, _) = ReadRaw(file);
        using (header)
        {
            var e = header.RootElement.GetProperty(name);
            Assert.That(e.GetProperty("dtype").GetString(), Is.EqualTo("F32"));
            var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var off = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            var values = new float[(off[1] - off[0]) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + off[0] + 4 * i), 4));
            return (shape, values);
        }
    }

    /// <summary>Writes a safetensors file from a header JSON text and data bytes, exactly as given.</summary>
    public static void WriteRawSafeTensors(string path, string headerJson, byte[] data, ulong? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, declaredLength ?? (ulong)h.Length);
        fs.Write(len);
        fs.Write(h);
        fs.Write(data);
    }

    /// <summary>The entries of a zip file (name → bytes), in order.</summary>
    public static List<(string Name, byte[] Data)> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        }).ToList();
    }

    public static void WriteZip(string path, IEnumerable<(string Name, byte[] Data)> entries)
    {
        if (File.Exists(path)) File.Delete(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(data);
        }
    }

    /// <summary>
    /// Writes a copy of the <c>.keras</c> file <paramref name="path"/> next to it, named <paramref name="newName"/>, with its
    /// <c>config.json</c> text passed through <paramref name="edit"/> (to stand for a file written differently, e.g. by Python
    /// Keras); returns the copy's path. Fails when the edit changes nothing.
    /// </summary>
    public static string EditConfigJson(string path, string newName, Func<string, string> edit)
    {
        var entries = ReadZip(path);
        var i = entries.FindIndex(e => e.Name == "config.json");
        var before = Encoding.UTF8.GetString(entries[i].Data);
        var after = edit(before);
        Assert.That(after, Is.Not.EqualTo(before), "the config edit must change the file");
        entries[i] = (entries[i].Name, Encoding.UTF8.GetBytes(after));
        var edited = Path.Combine(Path.GetDirectoryName(path)!, newName);
        WriteZip(edited, entries);
        return edited;
    }

    /// <summary>The compact JSON text of an element (the files are written indented).</summary>
    public static string Compact(JsonElement e) => System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText())!.ToJsonString();

    public static bool BitEqual(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.cpu().contiguous().bytes.SequenceEqual(b.cpu().contiguous().bytes);

    public static void AssertWeightsBitEqual(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        Assert.That(b.Count, Is.EqualTo(a.Count), "weight count");
        for (int i = 0; i < a.Count; i++)
            Assert.That(BitEqual(a[i], b[i]), Is.True, $"weight {i} differs");
    }

    public static Sequential SmallSequential(int inputs = 4, int classes = 3)
    {
        var m = new Sequential(
            new Dense(8, activation: "relu", inputShape: [inputs]),
            new Dropout(0.5),
            new Dense(classes, activation: "softmax"));
        return m;
    }
}
