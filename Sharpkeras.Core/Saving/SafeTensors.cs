using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (plus an optional string-to-string
/// <c>"__metadata__"</c>), then the raw little-endian tensor data. The reader treats the file as untrusted:
/// every size and offset is checked against the file before anything is allocated.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const int CopyBuffer = 1 << 20;

    private static readonly (string Name, ScalarType Type, int Size)[] DTypes =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>The safetensors dtype code of a torch type ("F32", …).</summary>
    public static string DTypeCode(ScalarType t)
    {
        foreach (var d in DTypes) if (d.Type == t) return d.Name;
        throw new NotSupportedException($"Tensors of type {t} cannot be stored in safetensors by Sharpkeras.");
    }

    private static void CheckEndianness()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Sharpkeras reads and writes safetensors files only on little-endian machines.");
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (in this order in the data region) to <paramref name="stream"/>,
    /// which need not be seekable. Names must be unique.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        CheckEndianness();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
                throw new ArgumentException($"Invalid tensor name '{name}' for a safetensors file.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice.", nameof(tensors));
            _ = DTypeCode(value.dtype);
        }
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                long bytes = checked(value.numel() * value.ElementSize);
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeCode(value.dtype));
                w.WriteStartArray("shape");
                foreach (var d in value.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, value) in tensors)
        {
            if (value.numel() == 0) continue;
            using var cpu = value.detach().cpu().contiguous();
            cpu.WriteBytesToStream(stream, CopyBuffer);
        }
    }

    /// <summary>
    /// Reads and validates a whole safetensors file from a seekable stream. Throws
    /// <see cref="InvalidDataException"/> (naming <paramref name="source"/>) for any malformed content;
    /// nothing is allocated from a size that was not checked against the stream's length.
    /// </summary>
    public static SafeTensorsFile Read(Stream stream, string source)
    {
        CheckEndianness();
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        long length = stream.Length;
        if (length < 8)
            throw new InvalidDataException($"{source}: {length} bytes is too short for a safetensors file (it needs at least the 8-byte header length).");
        stream.Position = 0;
        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLen > (ulong)(length - 8))
            throw new InvalidDataException($"{source}: the header length {headerLen} exceeds the {length - 8} bytes that follow it.");
        if (headerLen > MaxHeaderBytes)
            throw new InvalidDataException($"{source}: the header length {headerLen} exceeds the limit of {MaxHeaderBytes} bytes.");
        if (headerLen < 2)
            throw new InvalidDataException($"{source}: the header length {headerLen} is too small for a JSON object.");
        var headerBytes = new byte[headerLen];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLen;
        long dataLen = length - dataStart;

        string headerText;
        try { headerText = new UTF8Encoding(false, true).GetString(headerBytes); }
        catch (DecoderFallbackException e) { throw new InvalidDataException($"{source}: the header is not valid UTF-8.", e); }
        if (headerText.TrimStart().Length == 0 || headerText.TrimStart()[0] != '{')
            throw new InvalidDataException($"{source}: the header must be a JSON object.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerText, new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException e) { throw new InvalidDataException($"{source}: the header is not valid JSON: {e.Message}", e); }

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{source}: the header must be a JSON object.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new InvalidDataException($"{source}: the name '{p.Name}' appears twice in the header.");
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{source}: __metadata__ must be an object of strings.");
                    foreach (var m in p.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"{source}: __metadata__ value '{m.Name}' must be a string, got {m.Value.ValueKind}.");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                            throw new InvalidDataException($"{source}: __metadata__ key '{m.Name}' appears twice.");
                    }
                    continue;
                }
                entries.Add(ParseEntry(p, dataLen, source));
            }
        }

        // The tensors must tile the data region exactly: no overlap, no gap, nothing past the end.
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expect = 0;
        foreach (var e in ordered)
        {
            if (e.Begin < expect)
                throw new InvalidDataException($"{source}: the data of tensor '{e.Name}' [{e.Begin}, {e.End}) overlaps the previous tensor's (which ends at {expect}).");
            if (e.Begin > expect)
                throw new InvalidDataException($"{source}: there is a gap of {e.Begin - expect} unused bytes before tensor '{e.Name}'.");
            expect = e.End;
        }
        if (expect != dataLen)
            throw new InvalidDataException($"{source}: the tensors cover {expect} bytes of data but the file holds {dataLen} after the header.");

        var tensors = new List<(string, Tensor)>(ordered.Count);
        try
        {
            foreach (var e in ordered)
            {
                var t = torch.empty(e.Shape, dtype: e.Type == ScalarType.Bool ? ScalarType.Byte : e.Type, device: torch.CPU);
                tensors.Add((e.Name, t));
                if (e.End > e.Begin)
                {
                    stream.Position = dataStart + e.Begin;
                    try { t.ReadBytesFromStream(stream, (int)Math.Min(CopyBuffer, e.End - e.Begin)); }
                    catch (EndOfStreamException ex) { throw new InvalidDataException($"{source}: the data of tensor '{e.Name}' is truncated.", ex); }
                }
                if (e.Type == ScalarType.Bool)
                {
                    if (t.numel() > 0 && t.max().item<byte>() > 1)
                        throw new InvalidDataException($"{source}: BOOL tensor '{e.Name}' holds bytes other than 0 and 1.");
                    var b = t.to(ScalarType.Bool);
                    t.Dispose();
                    tensors[^1] = (e.Name, b);
                }
            }
        }
        catch
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw;
        }
        return new SafeTensorsFile(tensors, metadata);
    }

    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    private static Entry ParseEntry(JsonProperty p, long dataLen, string source)
    {
        string name = p.Name;
        if (name.Length == 0) throw new InvalidDataException($"{source}: a tensor has an empty name.");
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: the header entry of tensor '{name}' must be an object.");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var f in v.EnumerateObject())
        {
            switch (f.Name)
            {
                case "dtype" when dtype is null: dtype = f.Value; break;
                case "shape" when shape is null: shape = f.Value; break;
                case "data_offsets" when offsets is null: offsets = f.Value; break;
                default: throw new InvalidDataException($"{source}: tensor '{name}' has an unexpected or repeated header field '{f.Name}'.");
            }
        }
        if (dtype is not { ValueKind: JsonValueKind.String } dt)
            throw new InvalidDataException($"{source}: tensor '{name}' has no string 'dtype'.");
        string code = dt.GetString()!;
        int idx = Array.FindIndex(DTypes, d => d.Name == code);
        if (idx < 0)
            throw new InvalidDataException($"{source}: tensor '{name}' has dtype '{code}', which is not one of {string.Join(", ", DTypes.Select(d => d.Name))}.");
        if (shape is not { ValueKind: JsonValueKind.Array } sh)
            throw new InvalidDataException($"{source}: tensor '{name}' has no 'shape' array.");
        if (sh.GetArrayLength() > 64)
            throw new InvalidDataException($"{source}: tensor '{name}' has {sh.GetArrayLength()} dimensions (at most 64 are accepted).");
        var dims = new long[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        bool overflow = false;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long n) || n < 0)
                throw new InvalidDataException($"{source}: tensor '{name}' has an invalid dimension {d.GetRawText()} in its shape.");
            dims[i++] = n;
            try { numel = checked(numel * n); } catch (OverflowException) { overflow = true; }
        }
        if (offsets is not { ValueKind: JsonValueKind.Array } off || off.GetArrayLength() != 2)
            throw new InvalidDataException($"{source}: tensor '{name}' needs 'data_offsets' as [begin, end].");
        var o = off.EnumerateArray().ToArray();
        if (!o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new InvalidDataException($"{source}: tensor '{name}' has invalid data_offsets {off.GetRawText()}.");
        if (end > dataLen)
            throw new InvalidDataException($"{source}: tensor '{name}' has data_offsets {off.GetRawText()} past the end of the {dataLen}-byte data region.");
        long bytes;
        try { bytes = overflow ? -1 : checked(numel * DTypes[idx].Size); } catch (OverflowException) { bytes = -1; }
        if (bytes != end - begin)
            throw new InvalidDataException(
                $"{source}: tensor '{name}' of dtype {code} and shape ({string.Join(", ", dims)}) needs {(bytes < 0 ? "more than 2^63" : bytes.ToString())} bytes, but its data_offsets {off.GetRawText()} span {end - begin}.");
        return new Entry(name, DTypes[idx].Type, dims, begin, end);
    }
}
