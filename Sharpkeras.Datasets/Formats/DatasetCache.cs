using Sharpkeras.Data;

namespace Sharpkeras.Datasets.Formats;

/// <summary>Where each dataset lives in the cache: <c>&lt;Utils.CacheRoot&gt;/datasets/&lt;name&gt;/</c>.</summary>
internal static class DatasetCache
{
    /// <summary>The cacheSubdir argument of <see cref="Utils.GetFile"/> for a dataset.</summary>
    public static string Subdir(string name) => Path.Combine("datasets", name);

    /// <summary>The cache folder of a dataset (not created).</summary>
    public static string Dir(string name) => Path.Combine(Utils.CacheRoot, "datasets", name);

    /// <summary>Checks that an explicit <c>path</c> exists.</summary>
    public static string CheckPath(string path, string datasetName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new DirectoryNotFoundException($"{datasetName}: path '{path}' does not exist.");
        return Path.GetFullPath(path);
    }
}
