using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Sharpkeras.Tests.Data.Fixtures;

/// <summary>Writes real files in real formats for the tests: PNG, BMP, IDX, .npy/.npz, tar.gz.</summary>
public static class FileFixtures
{
    public static string TempDir(string prefix)
    {
        var d = Path.Combine(Path.GetTempPath(), $"sk-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    // ------------------------------------------------------------------ PNG (8-bit RGB, filter 0, zlib via ZLibStream)

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>Writes an RGB PNG; <paramref name="rgb"/> is row-major height × width × 3.</summary>
    public static void WritePng(string path, int width, int height, byte[] rgb)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        Chunk(ms, "IHDR", ihdr);
        var raw = new byte[height * (1 + width * 3)];
        for (int y = 0; y < height; y++)
        {
            raw[y * (1 + width * 3)] = 0; // filter: none
            Array.Copy(rgb, y * width * 3, raw, y * (1 + width * 3) + 1, width * 3);
        }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        File.WriteAllBytes(path, ms.ToArray());
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var td = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type).CopyTo(td, 0);
        data.CopyTo(td, 4);
        s.Write(td);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(td));
        s.Write(crc);
    }

    // ------------------------------------------------------------------ BMP (24-bit, bottom-up, BGR, rows padded to 4 bytes)

    public static void WriteBmp(string path, int width, int height, byte[] rgb)
    {
        int rowSize = (width * 3 + 3) / 4 * 4;
        int dataSize = rowSize * height;
        var b = new byte[54 + dataSize];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), dataSize);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + (height - 1 - y) * rowSize;
            for (int x = 0; x < width; x++)
            {
                int src = (y * width + x) * 3;
                b[row + x * 3] = rgb[src + 2];
                b[row + x * 3 + 1] = rgb[src + 1];
                b[row + x * 3 + 2] = rgb[src];
            }
        }
        File.WriteAllBytes(path, b);
    }

    public static byte[] Solid(int width, int height, byte r, byte g, byte b)
    {
        var d = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            d[i * 3] = r;
            d[i * 3 + 1] = g;
            d[i * 3 + 2] = b;
        }
        return d;
    }

    // ------------------------------------------------------------------ IDX

    public static byte[] IdxImages(int n, int rows, int cols, Func<int, int, int, byte> pixel)
    {
        var d = new byte[16 + n * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(d, 2051);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(12), cols);
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    d[16 + (i * rows + r) * cols + c] = pixel(i, r, c);
        return d;
    }

    public static byte[] IdxLabels(params byte[] labels)
    {
        var d = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(d, 2049);
        BinaryPrimitives.WriteInt32BigEndian(d.AsSpan(4), labels.Length);
        labels.CopyTo(d, 8);
        return d;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    // ------------------------------------------------------------------ .npy / .npz

    public static byte[] Npy(string descr, long[] shape, byte[] body)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var len = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        ms.Write(len);
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(body);
        return ms.ToArray();
    }

    public static void WriteNpz(string path, params (string Name, byte[] Npy)[] arrays)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, npy) in arrays)
        {
            using var s = zip.CreateEntry(name + ".npy").Open();
            s.Write(npy);
        }
    }

    // ------------------------------------------------------------------ tar.gz

    public static void WriteTarGz(string path, params (string Name, byte[] Data)[] files)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        var dirs = new HashSet<string>();
        foreach (var (name, data) in files)
        {
            var parts = name.Split('/');
            for (int i = 1; i < parts.Length; i++)
            {
                var dir = string.Join('/', parts[..i]) + "/";
                if (dirs.Add(dir)) tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir));
            }
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
            tar.WriteEntry(entry);
        }
    }
}
