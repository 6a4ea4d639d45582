using System.Formats.Tar;
using System.IO.Compression;

namespace Sharpkeras.Datasets.Formats;

/// <summary>Streams the regular files of a .tar.gz (or plain .tar) archive, with errors naming the archive.</summary>
internal static class TarGz
{
    /// <summary>
    /// Calls <paramref name="visit"/> for each regular file whose name passes <paramref name="want"/>, with its
    /// name and a stream of its data (valid only during the call).
    /// </summary>
    public static void ForEachFile(string archive, Func<string, bool> want, Action<string, long, Stream> visit)
    {
        try
        {
            using var file = File.OpenRead(archive);
            var head = new byte[2];
            int got = file.Read(head, 0, 2);
            file.Position = 0;
            Stream tarStream = got == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            using (tarStream)
            using (var reader = new TarReader(tarStream))
            {
                TarEntry? entry;
                bool any = false;
                while ((entry = reader.GetNextEntry()) != null)
                {
                    any = true;
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)) continue;
                    string name = entry.Name.Replace('\\', '/');
                    if (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
                    if (!want(name)) continue;
                    visit(name, entry.Length, entry.DataStream ?? Stream.Null);
                }
                if (!any) throw new InvalidDataException("the archive holds no entries");
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException
                                  && e is not FileNotFoundException && e is not DirectoryNotFoundException)
        {
            if (e is InvalidDataException && e.Message.Contains(archive, StringComparison.Ordinal)) throw;
            throw new InvalidDataException($"'{archive}' is not a readable tar.gz archive: {e.Message}", e);
        }
    }

    /// <summary>Reads a stream of known length fully.</summary>
    public static byte[] ReadAll(Stream s, long length, string name)
    {
        if (length > Array.MaxLength) throw new InvalidDataException($"'{name}' is too large ({length} bytes).");
        var data = new byte[length];
        s.ReadExactly(data);
        return data;
    }
}
