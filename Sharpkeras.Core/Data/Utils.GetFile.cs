using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Sharpkeras.Data.Pipeline;

namespace Sharpkeras.Data;

public static partial class Utils
{
    private const int MaxAttempts = 3;

    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None, // .gz files must arrive as they are
        AllowAutoRedirect = true,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // large files: the idle timeout (DownloadTimeout) applies per read instead
    });

    /// <summary>
    /// Downloads a file from a URL unless it is already in the cache (Keras's <c>get_file</c>), and returns its
    /// local path: <c>&lt;cacheDir&gt;/&lt;cacheSubdir&gt;/&lt;fname&gt;</c>, with <paramref name="cacheDir"/> defaulting
    /// to <see cref="CacheRoot"/>.
    /// </summary>
    /// <remarks>
    /// <para>The download goes to a temporary <c>.part</c> file in the same folder, is checked against
    /// <paramref name="fileHash"/>, and only then renamed to its final name, so the final path never holds a
    /// partial or corrupt file. An interrupted transfer is retried (resuming with an HTTP range request when the
    /// server supports it, else from the start) up to 3 times; on failure the <c>.part</c> file is deleted.</para>
    /// <para>A cached file whose hash does not match is downloaded again (as Keras does). A progress bar is
    /// printed to the console while downloading.</para>
    /// </remarks>
    /// <param name="fname">The local file name; when null or empty, the last segment of the URL's path.</param>
    /// <param name="origin">The URL (http or https).</param>
    /// <param name="fileHash">Expected SHA-256 (64 hex digits) or MD5 (32 hex digits) of the file; null skips the check.</param>
    /// <param name="cacheDir">Cache root; default <see cref="CacheRoot"/>.</param>
    /// <param name="extract">Also extract the archive (.tar, .tar.gz/.tgz or .zip) and return the folder it was
    /// extracted to: <c>&lt;name before the first dot&gt;_extracted</c> next to the archive (Keras 3's layout).</param>
    /// <param name="cacheSubdir">Folder under <paramref name="cacheDir"/> (an absolute path is used as is); default "datasets".</param>
    /// <param name="forceDownload">Download even if the file is already cached.</param>
    /// <returns>The path of the file (or of the extraction folder with <paramref name="extract"/>).</returns>
    /// <exception cref="IOException">The download failed (offline, HTTP error such as 404, truncated transfer); the message
    /// names the file, the URL and the folder to put the file in by hand.</exception>
    /// <exception cref="InvalidDataException">The downloaded file's hash does not match <paramref name="fileHash"/>, or the archive cannot be extracted.</exception>
    public static string GetFile(string? fname, string origin, string? fileHash = null, string? cacheDir = null, bool extract = false,
        string cacheSubdir = "datasets", bool forceDownload = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"origin must be an absolute http(s) URL; got '{origin}'.", nameof(origin));
        if (string.IsNullOrEmpty(fname))
        {
            fname = Path.GetFileName(uri.AbsolutePath);
            if (string.IsNullOrEmpty(fname))
                throw new ArgumentException($"Cannot take a file name from the URL '{origin}'; pass fname.", nameof(fname));
        }
        if (fname.IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) >= 0 || fname is "." or "..")
            throw new ArgumentException($"fname must be a plain file name, not a path; got '{fname}'. Use cacheDir/cacheSubdir for the folder.", nameof(fname));
        string? algorithm = null;
        if (fileHash != null)
        {
            fileHash = fileHash.Trim().ToLowerInvariant();
            algorithm = fileHash.Length switch { 64 => "sha256", 32 => "md5", _ => null };
            if (algorithm == null || !fileHash.All(Uri.IsHexDigit))
                throw new ArgumentException($"fileHash must be a SHA-256 (64 hex digits) or MD5 (32 hex digits) hash; got '{fileHash}'.", nameof(fileHash));
        }
        ArgumentNullException.ThrowIfNull(cacheSubdir);

        string datadir = Path.GetFullPath(Path.Combine(cacheDir ?? CacheRoot, cacheSubdir));
        Directory.CreateDirectory(datadir);
        string target;
        string? extractionDir = null;
        if (extract)
        {
            int dot = fname.IndexOf('.');
            if (dot > 0)
            {
                target = Path.Combine(datadir, fname);
                extractionDir = Path.Combine(datadir, fname[..dot] + "_extracted");
            }
            else
            {
                extractionDir = Path.Combine(datadir, fname);
                target = Path.Combine(datadir, fname + "_archive");
            }
        }
        else target = Path.Combine(datadir, fname);

        bool download;
        if (forceDownload || !File.Exists(target)) download = true;
        else if (fileHash != null && !HashMatches(target, fileHash, algorithm!))
        {
            Console.WriteLine($"A local file was found, but it seems to be incomplete or outdated because the {algorithm} file hash " +
                $"does not match the original value of {fileHash} so we will re-download the data.");
            download = true;
        }
        else download = false;

        if (download) Download(fname, uri, target, datadir, fileHash, algorithm);

        if (extractionDir != null && (download || !Directory.Exists(extractionDir)))
            ExtractArchive(target, extractionDir);
        return extractionDir ?? target;
    }

    /// <summary>The SHA-256 (or MD5) of a file as lower-case hex.</summary>
    internal static string HashFile(string path, string algorithm = "sha256")
    {
        using var stream = File.OpenRead(path);
        using HashAlgorithm h = algorithm == "md5" ? MD5.Create() : SHA256.Create();
        return Convert.ToHexStringLower(h.ComputeHash(stream));
    }

    private static bool HashMatches(string path, string hash, string algorithm) => HashFile(path, algorithm) == hash;

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));

    private static string Advice(string fname, Uri origin, string target, string datadir)
        => $"Download {origin} yourself and save it as '{target}' (file '{fname}' in the folder '{datadir}'), then run again.";

    private static void Download(string fname, Uri origin, string target, string datadir, string? fileHash, string? algorithm)
    {
        if (Offline && !IsLoopback(origin))
            throw new IOException($"Cannot download '{fname}' from {origin}: offline mode is on (Utils.Offline / SHARPKERAS_OFFLINE). " +
                Advice(fname, origin, target, datadir));
        string part = target + ".part";
        Console.WriteLine($"Downloading data from {origin}");
        Exception? last = null;
        try
        {
            for (int attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                try
                {
                    if (TryDownload(origin, part, out var fatal))
                    {
                        last = null;
                        break;
                    }
                    last = fatal;
                    if (fatal != null) break;
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or UnauthorizedAccessException)
                {
                    last = e;
                    if (e is UnauthorizedAccessException || IsPermanent(e)) break;
                    if (attempt < MaxAttempts) Thread.Sleep(200 * attempt);
                }
            }
            if (last != null)
            {
                string reason = last is OperationCanceledException or TaskCanceledException
                    ? $"no data for {DownloadTimeout.TotalSeconds:0.#} s (timeout)" : last.Message;
                throw new IOException($"Could not download '{fname}' from {origin}: {reason}. " + Advice(fname, origin, target, datadir), last);
            }
            if (fileHash != null)
            {
                string got = HashFile(part, algorithm!);
                if (got != fileHash)
                    throw new InvalidDataException(
                        $"The file '{fname}' downloaded from {origin} is incomplete or corrupted: its {algorithm} hash is {got}, expected {fileHash}. " +
                        "It was deleted; " + Advice(fname, origin, target, datadir));
            }
            File.Move(part, target, overwrite: true);
        }
        finally
        {
            TryDelete(part);
        }
    }

    /// <summary>Failures a retry cannot fix: the host name does not resolve.</summary>
    private static bool IsPermanent(Exception e)
        => e is HttpRequestException { InnerException: System.Net.Sockets.SocketException se }
           && se.SocketErrorCode is System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData;

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>One attempt: resumes from an existing .part file when the server honours the range. Returns true when complete;
    /// false with <paramref name="fatal"/> set for errors not worth retrying (HTTP 4xx), false with null to retry.</summary>
    private static bool TryDownload(Uri origin, string part, out Exception? fatal)
    {
        fatal = null;
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, origin);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var connect = new CancellationTokenSource(DownloadTimeout);
        using var response = Http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token).GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            TryDelete(part); // stale partial file: start again
            return false;
        }
        if (!response.IsSuccessStatusCode)
        {
            int code = (int)response.StatusCode;
            var e = new IOException($"HTTP {code} ({response.ReasonPhrase})");
            if (code is >= 400 and < 500 and not 408 and not 429) fatal = e;
            else throw e;
            return false;
        }
        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent
            && response.Content.Headers.ContentRange?.From == have;
        if (!append) have = 0;
        long? length = response.Content.Headers.ContentLength;
        long? total = length is long l ? l + have : null;

        using var body = response.Content.ReadAsStream(connect.Token);
        using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var progress = new DownloadProgress(total, have);
        var buffer = new byte[1 << 16];
        long received = 0;
        while (true)
        {
            using var idle = new CancellationTokenSource(DownloadTimeout);
            int n = body.ReadAsync(buffer, idle.Token).AsTask().GetAwaiter().GetResult();
            if (n == 0) break;
            file.Write(buffer, 0, n);
            received += n;
            progress.Update(have + received);
        }
        file.Flush(true);
        if (length is long expected && received != expected)
            throw new IOException($"the transfer was cut short ({received + have} of {expected + have} bytes)");
        progress.Done(have + received);
        return true;
    }

    /// <summary>Extracts a tar (optionally gzip-compressed) or zip archive into <paramref name="destination"/>, atomically
    /// (into a temporary folder renamed at the end); entries that would land outside it and links are skipped.</summary>
    internal static void ExtractArchive(string archive, string destination)
    {
        string temp = destination + ".extracting-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(temp);
            var head = new byte[4];
            int got;
            using (var probe = File.OpenRead(archive)) got = probe.Read(head, 0, 4);
            if (got >= 4 && head[0] == 'P' && head[1] == 'K')
                ZipFile.ExtractToDirectory(archive, temp, overwriteFiles: true);
            else
            {
                using var stream = File.OpenRead(archive);
                Stream tarStream = got >= 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(stream, CompressionMode.Decompress) : stream;
                using (tarStream) ExtractTar(tarStream, temp);
            }
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            Directory.Move(temp, destination);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException && e is not DirectoryNotFoundException)
        {
            throw new InvalidDataException($"Cannot extract the archive '{archive}' (tar, tar.gz or zip expected): {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static void ExtractTar(Stream tar, string into)
    {
        string root = Path.GetFullPath(into) + Path.DirectorySeparatorChar;
        using var reader = new TarReader(tar);
        TarEntry? entry;
        while ((entry = reader.GetNextEntry()) != null)
        {
            string full = Path.GetFullPath(Path.Combine(into, entry.Name));
            if (!full.StartsWith(root, StringComparison.Ordinal) && full + Path.DirectorySeparatorChar != root)
            {
                Console.Error.WriteLine($"Skipping invalid path during archive extraction: '{entry.Name}'.");
                continue;
            }
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(full);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    using (var outFile = File.Create(full))
                        entry.DataStream?.CopyTo(outFile);
                    break;
                default:
                    break; // links, devices: skipped for safety
            }
        }
    }
}
