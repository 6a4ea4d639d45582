using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Datasets.Formats;

/// <summary>
/// The CIFAR "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html): fixed-size records of label
/// byte(s) then 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each a row-major 32×32 plane).
/// </summary>
internal static class CifarBinary
{
    public const int PixelBytes = 3072;

    /// <summary>Parses records into images (N, 32, 32, 3) uint8 (or (N, 3, 32, 32) channels_first) and int64 labels.</summary>
    public static (Tensor Images, Tensor Labels) Parse(byte[] data, int labelBytes, int labelIndex, int numClasses, string name)
    {
        int record = labelBytes + PixelBytes;
        if (data.Length == 0 || data.Length % record != 0)
            throw new InvalidDataException(
                $"'{name}' holds {data.Length} bytes, which is not a whole number of {record}-byte CIFAR records (truncated or not a CIFAR binary file).");
        long n = data.Length / record;
        using var scope = torch.NewDisposeScope();
        var rows = torch.tensor(data, new long[] { n, record }, dtype: ScalarType.Byte);
        var labels = rows.select(1, labelIndex).to(ScalarType.Int64);
        long max = labels.max().item<long>();
        if (max >= numClasses)
            throw new InvalidDataException($"'{name}': found label {max}, but this CIFAR file has {numClasses} classes (corrupt or the wrong file).");
        var images = rows.narrow(1, labelBytes, PixelBytes).reshape(n, 3, 32, 32);
        if (Keras.Config.ImageDataFormat == "channels_last") images = images.permute(0, 2, 3, 1);
        return (images.contiguous().MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Reads the named members from a tarball or an extracted folder: <paramref name="path"/> may be the tarball,
    /// a folder holding the tarball, a folder holding <paramref name="folderName"/>, or that folder itself.
    /// Returns null when none of these is there.
    /// </summary>
    public static Dictionary<string, (byte[] Data, string Name)>? ReadMembers(string path, string tarName, string folderName, string[] members, string dataset)
    {
        string? tar = null, folder = null;
        if (File.Exists(path)) tar = path;
        else if (File.Exists(Path.Combine(path, tarName))) tar = Path.Combine(path, tarName);
        else if (members.All(m => File.Exists(Path.Combine(path, folderName, m)))) folder = Path.Combine(path, folderName);
        else if (members.All(m => File.Exists(Path.Combine(path, m)))) folder = path;
        if (folder != null) return members.ToDictionary(m => m, m => (File.ReadAllBytes(Path.Combine(folder, m)), Path.Combine(folder, m)));
        if (tar == null) return null;

        var found = new Dictionary<string, (byte[] Data, string Name)>();
        TarGz.ForEachFile(tar, name => members.Contains(Path.GetFileName(name)) && Path.GetFileName(Path.GetDirectoryName(name)) == folderName,
            (name, length, stream) => found[Path.GetFileName(name)] = (TarGz.ReadAll(stream, length, $"{tar}:{name}"), $"{tar}:{name}"));
        var missing = members.Where(m => !found.ContainsKey(m)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"'{tar}' is not the {dataset} binary archive: it lacks {string.Join(", ", missing.Select(m => folderName + "/" + m))}.");
        return found;
    }

    /// <summary>Where the data is when no path is given: an extracted folder in the cache, else the downloaded tarball.</summary>
    public static Dictionary<string, (byte[] Data, string Name)> ReadFromCache(string cacheName, string tarName, string folderName, string origin, string md5,
        string[] members, string dataset)
    {
        string dir = DatasetCache.Dir(cacheName);
        if (Directory.Exists(dir) && members.All(m => File.Exists(Path.Combine(dir, folderName, m))))
            return ReadMembers(dir, tarName, folderName, members, dataset)!;
        string tar = Data.Utils.GetFile(tarName, origin, md5, cacheSubdir: DatasetCache.Subdir(cacheName));
        return ReadMembers(tar, tarName, folderName, members, dataset)!;
    }
}
