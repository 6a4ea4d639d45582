using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Data;

/// <summary>Keras's <c>keras.utils</c> helpers: <see cref="GetFile"/> (download and cache) and <see cref="ToCategorical"/>.</summary>
public static class Utils
{
    /// <summary>The root of the dataset cache: <c>$SHARPKERAS_HOME</c> or <c>~/.sharpkeras</c>, plus "datasets".</summary>
    public static string CacheRoot
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("SHARPKERAS_HOME");
            if (string.IsNullOrEmpty(home))
                home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sharpkeras");
            return Path.Combine(home, "datasets");
        }
    }

    /// <summary>When true (or env <c>SHARPKERAS_OFFLINE=1</c>), <see cref="GetFile"/> never touches the network.</summary>
    public static bool Offline { get; set; } = Environment.GetEnvironmentVariable("SHARPKERAS_OFFLINE") == "1";

    /// <summary>The HTTP timeout of downloads (default 10 minutes).</summary>
    public static TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Returns the local path of <paramref name="fname"/>, downloading it from <paramref name="origin"/> into the cache
    /// when missing (Keras's <c>get_file</c>). The download goes to a temporary file in the same folder and is renamed
    /// only after the SHA-256 check passes, so a failed, interrupted or corrupt download never leaves a file behind.
    /// </summary>
    /// <param name="fname">File name inside the cache folder.</param>
    /// <param name="origin">The URL (http, https or file).</param>
    /// <param name="fileHash">Expected SHA-256 (hex); null skips the check.</param>
    /// <param name="cacheDir">Folder to use (default <see cref="CacheRoot"/>).</param>
    /// <param name="extract">Also extract a .tar.gz/.tgz/.tar/.zip next to it (once).</param>
    /// <exception cref="IOException">Offline, HTTP failure, truncated body, or hash mismatch (names the file, the URL and the folder).</exception>
    public static string GetFile(string fname, string origin, string? fileHash = null, string? cacheDir = null, bool extract = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(fname);
        ArgumentException.ThrowIfNullOrEmpty(origin);
        if (fname.IndexOfAny(['/', '\\']) >= 0 || fname == ".." || fname == ".")
            throw new ArgumentException($"fname must be a plain file name; got '{fname}'.", nameof(fname));
        if (fileHash != null && (fileHash.Length != 64 || !fileHash.All(Uri.IsHexDigit)))
            throw new ArgumentException($"fileHash must be a SHA-256 hex string (64 hex digits); got '{fileHash}'.", nameof(fileHash));
        var dir = cacheDir ?? CacheRoot;
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, fname);
        if (File.Exists(target))
        {
            if (fileHash == null || Sha256(target).Equals(fileHash, StringComparison.OrdinalIgnoreCase))
            {
                if (extract) Extract(target, dir);
                return target;
            }
            Console.Error.WriteLine($"The cached file {target} does not match its SHA-256; downloading it again.");
        }
        if (Offline)
            throw new IOException($"{fname} is not in {dir} and downloads are disabled (offline). Download {origin} and put it in {dir}.");
        var tmp = Path.Combine(dir, $".{fname}.{Environment.ProcessId}.{Guid.NewGuid():N}.part");
        try
        {
            Download(origin, tmp, fname);
            if (fileHash != null)
            {
                var actual = Sha256(tmp);
                if (!actual.Equals(fileHash, StringComparison.OrdinalIgnoreCase))
                    throw new IOException($"{fname} downloaded from {origin} has SHA-256 {actual}, expected {fileHash}; nothing was saved. " +
                                          $"Download it again or put a correct copy in {dir}.");
            }
            File.Move(tmp, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        if (extract) Extract(target, dir);
        return target;
    }

    private static void Download(string origin, string tmp, string fname)
    {
        if (origin.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            File.Copy(new Uri(origin).LocalPath, tmp, overwrite: true);
            return;
        }
        using var http = new HttpClient { Timeout = DownloadTimeout };
        HttpResponseMessage response;
        try
        {
            response = http.GetAsync(origin, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new IOException($"Could not download {fname} from {origin} ({e.Message}). Without network access, download it elsewhere and put it in {Path.GetDirectoryName(tmp)}.", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new IOException($"Downloading {fname} from {origin} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}. Put the file in {Path.GetDirectoryName(tmp)} by hand.");
            long? expected = response.Content.Headers.ContentLength;
            long written = 0;
            var sw = Stopwatch.StartNew();
            double lastDraw = -1;
            using (var src = response.Content.ReadAsStream())
            using (var dst = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buf = new byte[1 << 16];
                int n;
                try
                {
                    while ((n = src.Read(buf, 0, buf.Length)) > 0)
                    {
                        dst.Write(buf, 0, n);
                        written += n;
                        if (sw.Elapsed.TotalSeconds - lastDraw > 0.5 && !Console.IsErrorRedirected)
                        {
                            lastDraw = sw.Elapsed.TotalSeconds;
                            Console.Error.Write(expected is long t
                                ? $"\rDownloading {fname}: {written / 1048576.0:F1}/{t / 1048576.0:F1} MiB"
                                : $"\rDownloading {fname}: {written / 1048576.0:F1} MiB");
                        }
                    }
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new IOException($"The download of {fname} from {origin} broke off after {written} bytes ({e.Message}); nothing was saved.", e);
                }
                dst.Flush(true);
            }
            if (!Console.IsErrorRedirected && lastDraw >= 0) Console.Error.WriteLine();
            if (expected is long len && written != len)
                throw new IOException($"The download of {fname} from {origin} is truncated: got {written} of {len} bytes; nothing was saved.");
        }
    }

    /// <summary>SHA-256 of a file as lower-case hex.</summary>
    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }

    private static void Extract(string archive, string dir)
    {
        var marker = archive + ".extracted";
        if (File.Exists(marker)) return;
        var tmpDir = Path.Combine(dir, $".extract-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmpDir);
        try
        {
            if (archive.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                ZipFile.ExtractToDirectory(archive, tmpDir);
            else
            {
                using var fs = File.OpenRead(archive);
                Stream s = archive.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || archive.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
                    ? new GZipStream(fs, CompressionMode.Decompress) : fs;
                TarFile.ExtractToDirectory(s, tmpDir, overwriteFiles: true);
            }
            foreach (var entry in Directory.EnumerateFileSystemEntries(tmpDir))
            {
                var dest = Path.Combine(dir, Path.GetFileName(entry));
                if (Directory.Exists(entry)) { if (Directory.Exists(dest)) Directory.Delete(dest, true); Directory.Move(entry, dest); }
                else File.Move(entry, dest, overwrite: true);
            }
            File.WriteAllText(marker, DateTime.UtcNow.ToString("O"));
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{archive} is not a valid archive ({e.Message}).", e);
        }
        finally
        {
            if (Directory.Exists(tmpDir)) Directory.Delete(tmpDir, true);
        }
    }

    /// <summary>
    /// One-hot encodes integer class labels (Keras's <c>to_categorical</c>): float32 with a new last axis of
    /// <paramref name="numClasses"/> (default max label + 1). A trailing axis of size 1 is dropped first.
    /// </summary>
    public static Tensor ToCategorical(Tensor y, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(y);
        using var scope = NewDisposeScope();
        var labels = y;
        if (labels.dim() > 1 && labels.shape[^1] == 1) labels = labels.squeeze(-1);
        if (labels.dtype.IsFloat())
        {
            if (!labels.eq(labels.floor()).all().item<bool>())
                throw new ArgumentException("ToCategorical: labels must be whole numbers.", nameof(y));
        }
        labels = labels.to(ScalarType.Int64);
        if (labels.numel() == 0)
            return torch.zeros([.. labels.shape, numClasses ?? 0], dtype: ScalarType.Float32).MoveToOuterDisposeScope();
        long min = labels.min().item<long>(), max = labels.max().item<long>();
        if (min < 0) throw new ArgumentException($"ToCategorical: labels must be >= 0; got {min}.", nameof(y));
        int classes = numClasses ?? (int)(max + 1);
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be positive.");
        if (max >= classes) throw new ArgumentException($"ToCategorical: label {max} does not fit numClasses {classes}.", nameof(numClasses));
        return nn.functional.one_hot(labels, classes).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
