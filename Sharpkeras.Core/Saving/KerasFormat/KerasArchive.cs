using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// Keras 3's native <c>.keras</c> file (<c>keras/src/saving/saving_lib.py</c>): a zip archive holding
/// <c>metadata.json</c> (<c>keras_version</c>, <c>date_saved</c>), <c>config.json</c> (the model's serialized
/// config with <c>compile_config</c>) and <c>model.weights.h5</c> (the weights in Keras's HDF5 layout, see
/// <see cref="KerasWeightsFile"/>). Reading treats the archive as untrusted, as Keras's own loader does: entry names
/// are checked (no paths outside the archive, no unexpected files), declared and real sizes are bounded, only
/// registered Keras/Sharpkeras classes are instantiated, and every weight is checked before any is assigned.
/// </summary>
internal static class KerasArchive
{
    public const string ConfigEntry = "config.json";
    public const string MetadataEntry = "metadata.json";
    public const string WeightsEntry = "model.weights.h5";

    /// <summary>The Keras version whose file layout is written.</summary>
    public const string KerasVersion = "3.10.0";

    private const long MaxJsonBytes = 64L << 20;

    /// <summary>Saves <paramref name="model"/> as a <c>.keras</c> file, atomically.</summary>
    public static void Write(Model model, string path)
    {
        var config = Encoding.UTF8.GetBytes(KerasConfig.ToKeras(model).ToJsonString());
        var metadata = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["keras_version"] = KerasVersion,
            ["date_saved"] = DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["sharpkeras_version"] = Keras.Version,
        }.ToJsonString());
        var weights = new MemoryStream();
        KerasWeightsFile.Write(model, weights);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(MetadataEntry, CompressionLevel.Optimal).Open()) s.Write(metadata);
            using (var s = zip.CreateEntry(ConfigEntry, CompressionLevel.Optimal).Open()) s.Write(config);
            using (var s = zip.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open()) weights.WriteTo(s);
        });
    }

    private static Dictionary<string, ZipArchiveEntry> Entries(ZipArchive zip, string source)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
        {
            var n = e.FullName;
            if (n.Length == 0 || n.Contains("..", StringComparison.Ordinal) || n.Contains('\\') || n.Contains(':')
                || n.StartsWith('/') || Path.IsPathRooted(n) || n.Any(char.IsControl))
                throw new InvalidDataException($"{source}: the archive has an unsafe entry name '{n}'.");
            if (n.EndsWith('/') && e.Length == 0) continue; // a directory entry (e.g. an empty "assets/")
            if (n is not (ConfigEntry or MetadataEntry or WeightsEntry))
                throw new InvalidDataException(
                    $"{source}: the archive has an entry '{n}' that Sharpkeras does not read (expected {ConfigEntry}, {MetadataEntry} and {WeightsEntry}; " +
                    "layers with assets and sharded or .npz weights are not supported).");
            if (!entries.TryAdd(n, e)) throw new InvalidDataException($"{source}: the archive has the entry '{n}' twice.");
        }
        foreach (var required in new[] { ConfigEntry, WeightsEntry })
            if (!entries.ContainsKey(required)) throw new InvalidDataException($"{source}: the archive has no '{required}'.");
        return entries;
    }

    private static void CopyBounded(ZipArchiveEntry e, Stream to, long max, string source)
    {
        if (e.Length < 0 || e.Length > max)
            throw new InvalidDataException($"{source}: entry '{e.FullName}' declares {e.Length} bytes (at most {max} are accepted).");
        if (e.Length > e.CompressedLength * 1100L + 4096)
            throw new InvalidDataException($"{source}: entry '{e.FullName}' declares {e.Length} bytes from {e.CompressedLength} compressed bytes, an impossible ratio.");
        using var from = e.Open();
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += n;
            if (total > e.Length) throw new InvalidDataException($"{source}: entry '{e.FullName}' holds more data than its declared {e.Length} bytes.");
            to.Write(buffer, 0, n);
        }
        if (total != e.Length) throw new InvalidDataException($"{source}: entry '{e.FullName}' holds {total} bytes, not its declared {e.Length}.");
    }

    private static JsonNode ReadJson(ZipArchiveEntry e, string source)
    {
        var ms = new MemoryStream();
        CopyBounded(e, ms, MaxJsonBytes, source);
        try
        {
            var text = new UTF8Encoding(false, true).GetString(ms.GetBuffer(), 0, (int)ms.Length);
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })
                   ?? throw new InvalidDataException($"{source}: {e.FullName} is null.");
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: {e.FullName} is not valid UTF-8 JSON: {ex.Message}", ex);
        }
    }

    private static ZipArchive OpenZip(Stream fs, string source)
    {
        try { return new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{source}: not a valid .keras (zip) file: {e.Message}", e);
        }
    }

    /// <summary>Copies the weights entry to a temporary file that is deleted when the stream closes.</summary>
    private static FileStream WeightsToTemp(ZipArchiveEntry e, string source)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"sharpkeras-{Guid.NewGuid():N}.h5");
        var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            CopyBounded(e, fs, long.MaxValue / 2, source);
            fs.Position = 0;
            return fs;
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model from a <c>.keras</c> file.</summary>
    public static Model Read(string path, bool compile, IReadOnlyDictionary<string, Type>? customObjects)
    {
        string source = $"'{path}'";
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var zip = OpenZip(fs, source);
        var entries = Entries(zip, source);
        if (entries.TryGetValue(MetadataEntry, out var me) && ReadJson(me, source) is not JsonObject)
            throw new InvalidDataException($"{source}: {MetadataEntry} must be a JSON object.");
        if (ReadJson(entries[ConfigEntry], source) is not JsonObject rawConfig)
            throw new InvalidDataException($"{source}: {ConfigEntry} must be a JSON object.");
        string where = $"{source} {ConfigEntry}";
        using var doc = JsonDocument.Parse(KerasConfig.FromKeras(rawConfig, where).ToJsonString());
        var root = doc.RootElement;
        using var weights = WeightsToTemp(entries[WeightsEntry], source);
        using var scope = torch.NewDisposeScope();
        var reader = new ConfigReader(customObjects);
        Layer layer;
        using (LoadBudget.Begin(weights.Length, where)) layer = ModelConfig.ReadLayer(reader, root, where);
        if (layer is not Model model)
            throw new InvalidDataException($"{where}: the saved object is a {layer.GetType().Name}, not a model.");
        var values = KerasWeightsFile.Read(model, weights, $"{source} ({WeightsEntry})");
        KerasWeightsFile.Assign(values);
        if (compile && root.TryGetProperty("compile_config", out var cc) && cc.ValueKind != JsonValueKind.Null)
        {
            try { ModelConfig.Compile(reader, model, cc, where); }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{e.Message} (Load the model with compile: false to skip its compile config.)", e);
            }
        }
        return model;
    }

    /// <summary>Saves only the weights (Keras's <c>save_weights</c> to a <c>.weights.h5</c> file), atomically.</summary>
    public static void WriteWeights(Model model, string path)
    {
        var ms = new MemoryStream();
        KerasWeightsFile.Write(model, ms);
        AtomicFile.Write(path, s => ms.WriteTo(s));
    }

    /// <summary>Loads weights from a <c>.weights.h5</c> file or the weights of a <c>.keras</c> file; nothing is assigned unless all fit.</summary>
    public static void ReadWeights(Model model, string path)
    {
        string source = $"'{path}'";
        if (model.Variables.Count == 0)
            throw new ArgumentException($"Model '{model.Name}' has no weights yet, so {source} cannot be loaded into it. Build the model first (give it an input shape or call it on data).", nameof(path));
        using var scope = torch.NewDisposeScope();
        if (path.EndsWith(".keras", StringComparison.OrdinalIgnoreCase))
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var zip = OpenZip(fs, source);
            var entries = Entries(zip, source);
            using var weights = WeightsToTemp(entries[WeightsEntry], source);
            KerasWeightsFile.Assign(KerasWeightsFile.Read(model, weights, $"{source} ({WeightsEntry})"));
        }
        else
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            KerasWeightsFile.Assign(KerasWeightsFile.Read(model, fs, source));
        }
    }
}
