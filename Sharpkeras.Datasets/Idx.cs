using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets;

/// <summary>Reads MNIST's IDX format (big-endian magic 0x0803 images / 0x0801 labels), gzipped or not.</summary>
internal static class Idx
{
    public static byte[] ReadAll(string file)
    {
        try
        {
            using var fs = File.OpenRead(file);
            return ReadAll(fs, file, file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        }
        catch (InvalidDataException) { throw; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{file}: cannot be read ({e.Message}).", e);
        }
    }

    public static byte[] ReadAll(Stream s, string name, bool gz)
    {
        using var ms = new MemoryStream();
        try
        {
            if (gz) { using var g = new GZipStream(s, CompressionMode.Decompress, leaveOpen: true); g.CopyTo(ms); }
            else s.CopyTo(ms);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: not a valid gzip file ({e.Message}).", e);
        }
        return ms.ToArray();
    }

    /// <summary>Images: magic 2051, count, rows, cols, then count·rows·cols bytes → uint8 (count, rows, cols).</summary>
    public static Tensor Images(byte[] b, string name)
    {
        if (b.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(b) != 2051)
            throw new InvalidDataException($"{name}: not an IDX image file (magic {(b.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(b) : -1)}, expected 2051).");
        int n = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4)), r = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(8)), c = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(12));
        if (n < 0 || r <= 0 || c <= 0 || (long)n * r * c != b.Length - 16)
            throw new InvalidDataException($"{name}: header says {n} images of {r}×{c} ({(long)n * r * c} bytes) but the file holds {b.Length - 16} bytes of pixels.");
        var t = torch.tensor(b.AsSpan(16).ToArray(), dtype: ScalarType.Byte);
        return t.reshape(n, r, c);
    }

    /// <summary>Labels: magic 2049, count, then count bytes → int64 (count).</summary>
    public static Tensor Labels(byte[] b, string name)
    {
        if (b.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(b) != 2049)
            throw new InvalidDataException($"{name}: not an IDX label file (magic {(b.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(b) : -1)}, expected 2049).");
        int n = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4));
        if (n < 0 || n != b.Length - 8)
            throw new InvalidDataException($"{name}: header says {n} labels but the file holds {b.Length - 8}.");
        return torch.tensor(b.AsSpan(8).ToArray(), dtype: ScalarType.Byte).to(ScalarType.Int64);
    }
}
