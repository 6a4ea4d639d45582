namespace Sharpkeras.Saving;

/// <summary>
/// Writes a file atomically: the content goes to a temporary file in the same folder, which is flushed
/// to the disk and then renamed over the target. A crash or an exception during the write never
/// leaves a partial target: readers see the previous file or the complete new one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Test hook: called with the temporary path after it is written and flushed, before the rename.</summary>
    internal static Action<string>? BeforeRename;

    /// <summary>Validates a target path for writing: non-empty, not a directory, its folder existing.</summary>
    public static string CheckTarget(string path, bool overwrite, string argument)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The file path must not be empty.", argument);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"Invalid file path '{path}': {e.Message}", argument, e);
        }
        if (Directory.Exists(full))
            throw new IOException($"'{path}' is an existing directory; give a file path.");
        var dir = Path.GetDirectoryName(full);
        if (dir != null && !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"The folder '{dir}' of '{path}' does not exist.");
        if (!overwrite && File.Exists(full))
            throw new IOException($"'{path}' already exists and overwrite is false.");
        return full;
    }

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            BeforeRename?.Invoke(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
