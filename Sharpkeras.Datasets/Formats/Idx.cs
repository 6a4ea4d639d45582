using System.Buffers.Binary;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets.Formats;

/// <summary>
/// MNIST's IDX format (http://yann.lecun.com/exdb/mnist/): a big-endian header (magic 2051 for images with
/// count, rows, cols; 2049 for labels with count) followed by unsigned bytes. Files may be gzip-compressed.
/// </summary>
internal static class Idx
{
    public const int ImagesMagic = 2051;
    public const int LabelsMagic = 2049;

    /// <summary>Reads a file, decompressing it when it starts with the gzip signature.</summary>
    public static byte[] ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadStream(stream, path);
    }

    /// <summary>Reads a stream fully, decompressing it when it starts with the gzip signature.</summary>
    public static byte[] ReadStream(Stream stream, string name)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var raw = buffer.ToArray();
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var outBuf = new MemoryStream();
                gz.CopyTo(outBuf);
                return outBuf.ToArray();
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new InvalidDataException($"'{name}' is not a valid gzip file: {e.Message}", e);
            }
        }
        return raw;
    }

    /// <summary>Parses IDX images into a uint8 tensor (count, rows, cols).</summary>
    public static Tensor Images(byte[] data, string name)
    {
        if (data.Length < 16)
            throw new InvalidDataException($"'{name}' is too short for an IDX image file ({data.Length} bytes; the header alone is 16).");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != ImagesMagic)
            throw new InvalidDataException($"'{name}' is not an IDX image file: magic number {magic}, expected {ImagesMagic}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        if (n < 0 || rows <= 0 || cols <= 0)
            throw new InvalidDataException($"'{name}': invalid IDX dimensions ({n}, {rows}, {cols}).");
        long expected = 16 + (long)n * rows * cols;
        if (data.Length != expected)
            throw new InvalidDataException(
                $"'{name}': the header says {n} images of {rows}x{cols} ({expected} bytes with the header) but the file has {data.Length} bytes (truncated or corrupt).");
        var pixels = data.AsSpan(16).ToArray();
        return torch.tensor(pixels, new long[] { n, rows, cols }, dtype: ScalarType.Byte);
    }

    /// <summary>Parses IDX labels into an int64 tensor (count).</summary>
    public static Tensor Labels(byte[] data, string name)
    {
        if (data.Length < 8)
            throw new InvalidDataException($"'{name}' is too short for an IDX label file ({data.Length} bytes; the header alone is 8).");
        int magic = BinaryPrimitives.ReadInt32BigEndian(data);
        if (magic != LabelsMagic)
            throw new InvalidDataException($"'{name}' is not an IDX label file: magic number {magic}, expected {LabelsMagic}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (n < 0 || data.Length != 8L + n)
            throw new InvalidDataException(
                $"'{name}': the header says {n} labels ({8L + n} bytes with the header) but the file has {data.Length} bytes (truncated or corrupt).");
        var labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = data[8 + i];
        return torch.tensor(labels, dtype: ScalarType.Int64);
    }

    /// <summary>The four MNIST-style files: train images/labels, test images/labels.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>Finds one of the four files in a folder, gzip-compressed or not.</summary>
    public static string? Find(string directory, string gzName)
    {
        var gz = Path.Combine(directory, gzName);
        if (File.Exists(gz)) return gz;
        var plain = Path.Combine(directory, gzName[..^3]);
        return File.Exists(plain) ? plain : null;
    }

    /// <summary>Loads the four files from a folder (all must be there).</summary>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) LoadFolder(string directory, string datasetName)
    {
        var paths = FileNames.Select(f => Find(directory, f)).ToArray();
        var missing = FileNames.Where((f, i) => paths[i] is null).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException(
                $"{datasetName}: the folder '{directory}' lacks {string.Join(", ", missing)} (the four IDX files, gzip-compressed or not, are needed).");
        return Load(i => ReadFile(paths[i]!), i => paths[i]!);
    }

    /// <summary>Loads the four files through a reader (by index in <see cref="FileNames"/>); nothing is returned half-loaded.</summary>
    public static ((Tensor X, Tensor Y) Train, (Tensor X, Tensor Y) Test) Load(Func<int, byte[]> read, Func<int, string> nameOf)
    {
        using var scope = torch.NewDisposeScope();
        var xTrain = Images(read(0), nameOf(0));
        var yTrain = Labels(read(1), nameOf(1));
        var xTest = Images(read(2), nameOf(2));
        var yTest = Labels(read(3), nameOf(3));
        if (xTrain.shape[0] != yTrain.shape[0])
            throw new InvalidDataException($"'{nameOf(0)}' has {xTrain.shape[0]} images but '{nameOf(1)}' has {yTrain.shape[0]} labels.");
        if (xTest.shape[0] != yTest.shape[0])
            throw new InvalidDataException($"'{nameOf(2)}' has {xTest.shape[0]} images but '{nameOf(3)}' has {yTest.shape[0]} labels.");
        return ((xTrain.MoveToOuterDisposeScope(), yTrain.MoveToOuterDisposeScope()), (xTest.MoveToOuterDisposeScope(), yTest.MoveToOuterDisposeScope()));
    }
}
