using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// The safetensors format, written and read here: a little-endian u64 header length, a JSON header mapping each name
/// to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data region) plus optional "__metadata__",
/// then the raw little-endian data. Reading treats the file as untrusted: every size and offset is checked against
/// the file before anything is allocated from it.
/// </summary>
public static class SafeTensors
{
    private static readonly Dictionary<ScalarType, (string name, int size)> Types = new()
    {
        [ScalarType.Float32] = ("F32", 4), [ScalarType.Float64] = ("F64", 8), [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2), [ScalarType.Int64] = ("I64", 8), [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2), [ScalarType.Int8] = ("I8", 1), [ScalarType.Byte] = ("U8", 1), [ScalarType.Bool] = ("BOOL", 1),
    };

    /// <summary>Serialises named tensors (in the given order) with optional string metadata.</summary>
    public static byte[] Serialize(IEnumerable<(string name, Tensor tensor)> tensors, IDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata != null)
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        var names = new HashSet<string>();
        foreach (var (name, t) in tensors)
        {
            if (!names.Add(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
            if (!Types.TryGetValue(t.dtype, out var ti)) throw new ArgumentException($"Tensor '{name}': dtype {t.dtype} cannot be saved.", nameof(tensors));
            var bytes = ToBytes(t, ti.size);
            header[name] = new JsonObject
            {
                ["dtype"] = ti.name,
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes.Length)),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;   // align the data region to 8 bytes (spaces are valid JSON padding)
        var headerBytes = new byte[json.Length + pad];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < headerBytes.Length; i++) headerBytes[i] = (byte)' ';
        using var ms = new MemoryStream();
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)headerBytes.Length);
        ms.Write(len);
        ms.Write(headerBytes);
        foreach (var b in blobs) ms.Write(b);
        return ms.ToArray();
    }

    private static byte[] ToBytes(Tensor t, int size)
    {
        using var c = t.detach().cpu().contiguous();
        var bytes = new byte[c.numel() * size];
        if (bytes.Length > 0) c.bytes.CopyTo(bytes);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
        return bytes;
    }

    /// <summary>
    /// Parses a safetensors blob. Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> for any
    /// inconsistency: header length beyond the file, bad JSON, unknown dtype, shape/offset mismatch, overlapping or
    /// out-of-range data, duplicate names.
    /// </summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) Deserialize(byte[] data, string source)
    {
        if (data.Length < 8) throw new InvalidDataException($"{source}: too short to be a safetensors file ({data.Length} bytes).");
        ulong hlen = BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (hlen > (ulong)(data.Length - 8) || hlen > 100_000_000)
            throw new InvalidDataException($"{source}: header length {hlen} exceeds the file ({data.Length} bytes).");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(data, 8, (int)hlen)) as JsonObject
                     ?? throw new InvalidDataException($"{source}: the header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: the header is not valid JSON ({e.Message}).", e);
        }
        long dataStart = 8 + (long)hlen;
        long dataLen = data.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var entries = new List<(string name, ScalarType type, long[] shape, long begin, long end)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject mo)
                    foreach (var (k, v) in mo) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            if (node is not JsonObject o) throw new InvalidDataException($"{source}: entry '{name}' is not an object.");
            var dtypeName = o["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{source}: '{name}' has no dtype.");
            var type = Types.FirstOrDefault(kv => kv.Value.name == dtypeName);
            if (type.Value.name == null) throw new InvalidDataException($"{source}: '{name}' has unsupported dtype '{dtypeName}'.");
            var shape = (o["shape"] as JsonArray ?? throw new InvalidDataException($"{source}: '{name}' has no shape."))
                .Select(v => v!.GetValue<long>()).ToArray();
            var offs = o["data_offsets"] as JsonArray;
            if (offs is null || offs.Count != 2) throw new InvalidDataException($"{source}: '{name}' has no valid data_offsets.");
            long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
            if (shape.Any(d => d < 0)) throw new InvalidDataException($"{source}: '{name}' has a negative dimension.");
            long count = 1;
            foreach (var d in shape) count = checked(count * d);
            if (begin < 0 || end < begin || end > dataLen)
                throw new InvalidDataException($"{source}: '{name}' data offsets [{begin}, {end}) lie outside the data region of {dataLen} bytes.");
            if (end - begin != checked(count * type.Value.size))
                throw new InvalidDataException($"{source}: '{name}' of shape ({string.Join(", ", shape)}) and dtype {dtypeName} needs {count * type.Value.size} bytes, its offsets span {end - begin}.");
            entries.Add((name, type.Key, shape, begin, end));
        }
        var sorted = entries.OrderBy(e => e.begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].begin < sorted[i - 1].end)
                throw new InvalidDataException($"{source}: the data of '{sorted[i - 1].name}' and '{sorted[i].name}' overlap.");
        var result = new Dictionary<string, Tensor>();
        foreach (var e in entries)
        {
            var t = torch.empty(e.shape, dtype: e.type);
            if (e.end > e.begin) data.AsSpan((int)(dataStart + e.begin), (int)(e.end - e.begin)).CopyTo(t.bytes);
            result[e.name] = t;
        }
        return (result, metadata);
    }

    /// <summary>Writes bytes to <paramref name="path"/> atomically: a temp file in the same folder, flushed, then renamed over the target.</summary>
    public static void WriteAtomic(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Cannot save to {full}: the folder {dir} does not exist.");
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
