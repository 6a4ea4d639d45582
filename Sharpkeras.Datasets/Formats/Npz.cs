using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets.Formats;

/// <summary>
/// Reads NumPy <c>.npz</c> archives (a zip of <c>.npy</c> arrays) holding C-ordered uint8 / int32 / int64 arrays,
/// as Keras's <c>mnist.npz</c>.
/// </summary>
internal static partial class Npz
{
    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();

    /// <summary>Reads the named arrays (without ".npy") from an .npz file.</summary>
    public static Dictionary<string, Tensor> Read(string path, params string[] names)
    {
        var result = new Dictionary<string, Tensor>();
        using var scope = torch.NewDisposeScope();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var name in names)
            {
                var entry = zip.GetEntry(name + ".npy")
                    ?? throw new InvalidDataException($"'{path}' has no array '{name}' (entries: {string.Join(", ", zip.Entries.Select(e => e.FullName))}).");
                using var s = entry.Open();
                using var buf = new MemoryStream();
                s.CopyTo(buf);
                result[name] = ParseNpy(buf.ToArray(), $"{path}:{name}.npy");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not FileNotFoundException)
        {
            if (e is InvalidDataException ide && ide.Message.Contains(path)) throw;
            throw new InvalidDataException($"'{path}' is not a valid .npz archive: {e.Message}", e);
        }
        foreach (var t in result.Values) t.MoveToOuterDisposeScope();
        return result;
    }

    private static Tensor ParseNpy(byte[] data, string name)
    {
        if (data.Length < 10 || data[0] != 0x93 || Encoding.ASCII.GetString(data, 1, 5) != "NUMPY")
            throw new InvalidDataException($"'{name}' is not a .npy array (bad magic).");
        int major = data[6];
        int headerLen, offset;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
            offset = 10;
        }
        else
        {
            headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8));
            offset = 12;
        }
        if (offset + headerLen > data.Length) throw new InvalidDataException($"'{name}': truncated .npy header.");
        string header = Encoding.Latin1.GetString(data, offset, headerLen);
        var descr = DescrRegex().Match(header);
        var fortran = FortranRegex().Match(header);
        var shapeM = ShapeRegex().Match(header);
        if (!descr.Success || !shapeM.Success) throw new InvalidDataException($"'{name}': unreadable .npy header '{header.Trim()}'.");
        if (fortran.Success && fortran.Groups[1].Value == "True") throw new InvalidDataException($"'{name}': Fortran-ordered arrays are not supported.");
        var shape = shapeM.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        int start = offset + headerLen;
        string d = descr.Groups[1].Value;
        int itemSize = d switch { "|u1" or "<u1" or "|i1" => 1, "<i4" => 4, "<i8" => 8, _ => 0 };
        if (itemSize == 0) throw new InvalidDataException($"'{name}': unsupported dtype '{d}' (uint8, int32, int64 are read).");
        if (data.Length - start != count * itemSize)
            throw new InvalidDataException($"'{name}': shape ({string.Join(", ", shape)}) needs {count * itemSize} bytes of data but there are {data.Length - start}.");
        var body = data.AsSpan(start);
        switch (d)
        {
            case "|u1" or "<u1":
                return torch.tensor(body.ToArray(), shape, dtype: ScalarType.Byte);
            case "|i1":
                return torch.tensor(body.ToArray().Select(b => (long)(sbyte)b).ToArray(), shape, dtype: ScalarType.Int64);
            case "<i4":
                {
                    var v = new long[count];
                    for (long i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(body.Slice((int)(i * 4)));
                    return torch.tensor(v, shape, dtype: ScalarType.Int64);
                }
            default:
                {
                    var v = new long[count];
                    for (long i = 0; i < count; i++) v[i] = BinaryPrimitives.ReadInt64LittleEndian(body.Slice((int)(i * 8)));
                    return torch.tensor(v, shape, dtype: ScalarType.Int64);
                }
        }
    }
}
