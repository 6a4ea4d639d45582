using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>Reads uint8/int64 arrays from a NumPy .npz (a zip of .npy files), as Keras ships MNIST.</summary>
internal static partial class Npz
{
    public static Dictionary<string, Tensor> Read(string file, params string[] names)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var zip = ZipFile.OpenRead(file);
            foreach (var name in names)
            {
                var entry = zip.GetEntry(name + ".npy") ?? throw new InvalidDataException($"{file}: has no array '{name}'.");
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                result[name] = ReadNpy(ms.ToArray(), $"{file}:{name}");
            }
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is IOException)
        {
            throw new InvalidDataException($"{file}: not a readable .npz archive ({e.Message}).", e);
        }
        return result;
    }

    private static Tensor ReadNpy(byte[] b, string name)
    {
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{name}: not a .npy array.");
        int major = b[6];
        int headerLen = major == 1 ? BitConverter.ToUInt16(b, 8) : BitConverter.ToInt32(b, 8);
        int start = major == 1 ? 10 : 12;
        if (start + headerLen > b.Length) throw new InvalidDataException($"{name}: truncated header.");
        var header = Encoding.Latin1.GetString(b, start, headerLen);
        var descr = Descr().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported.");
        var shape = Shape().Match(header).Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, x) => a * x);
        int data = start + headerLen;
        (int size, ScalarType type) = descr switch
        {
            "|u1" => (1, ScalarType.Byte),
            "<i8" => (8, ScalarType.Int64),
            "<i4" => (4, ScalarType.Int32),
            _ => throw new InvalidDataException($"{name}: unsupported dtype '{descr}'."),
        };
        if (data + count * size != b.Length)
            throw new InvalidDataException($"{name}: shape ({string.Join(", ", shape)}) needs {count * size} bytes, the file holds {b.Length - data}.");
        var raw = b.AsSpan(data).ToArray();
        Tensor t = type switch
        {
            ScalarType.Byte => torch.tensor(raw, dtype: ScalarType.Byte),
            ScalarType.Int32 => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(raw).ToArray()),
            _ => torch.tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw).ToArray()),
        };
        return t.reshape(shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")] private static partial Regex Descr();
    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")] private static partial Regex Shape();
}
