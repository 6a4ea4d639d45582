using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// The <c>.skeras</c> file: a zip archive (like Keras's <c>.keras</c>) holding <c>config.json</c> (the
/// model's config, its compile config, <c>format_version</c> and <c>library_version</c>),
/// <c>model.safetensors</c> (the weights, Keras layout) and, when the optimizer has been built,
/// <c>optimizer.safetensors</c> (its state and iterations). Reading treats the file as untrusted: entry
/// names and sizes are checked, nothing is extracted to a path taken from the archive, and everything is
/// validated before the model is returned.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The format written by this version.</summary>
    public const int FormatVersion = 1;

    public const string ConfigEntry = "config.json";
    public const string WeightsEntry = "model.safetensors";
    public const string OptimizerEntry = "optimizer.safetensors";

    private static readonly string[] AllowedEntries = [ConfigEntry, WeightsEntry, OptimizerEntry];
    private const long MaxConfigBytes = 64L << 20;

    /// <summary>The metadata written into every safetensors file.</summary>
    public static Dictionary<string, string> Metadata(string content) => new()
    {
        ["format"] = "sharpkeras", ["content"] = content, ["format_version"] = FormatVersion.ToString(),
        ["library_version"] = Keras.Version, ["layout"] = "keras",
    };

    /// <summary>The config.json bytes of <paramref name="model"/>.</summary>
    public static byte[] ConfigJson(Model model)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            ModelConfig.WriteLayerRecord(w, model,
                before: x =>
                {
                    x.WriteNumber("format_version", FormatVersion);
                    x.WriteString("library_version", Keras.Version);
                },
                after: x =>
                {
                    if (!model.Compiled) return;
                    x.WritePropertyName("compile_config");
                    ModelConfig.WriteCompileConfig(x, model);
                });
        }
        return ms.ToArray();
    }

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(Model model, string path)
    {
        var config = ConfigJson(model); // fails before anything is written if the config cannot be stored
        using var scope = torch.NewDisposeScope();
        var weights = WeightStore.Collect(model);
        var opt = model.Optimizer is { Built: true } o ? OptimizerStateStore.Collect(o, model, "") : null;
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var s = zip.CreateEntry(ConfigEntry, CompressionLevel.Optimal).Open()) s.Write(config);
            using (var s = zip.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open())
                SafeTensors.Write(s, weights, Metadata("model weights"));
            if (opt != null)
                using (var s = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open())
                    SafeTensors.Write(s, opt, Metadata("optimizer state"));
        });
    }

    /// <summary>Opens and checks the archive's entries; returns them by name.</summary>
    private static Dictionary<string, ZipArchiveEntry> Entries(ZipArchive zip, string source)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
        {
            var n = e.FullName;
            if (n.Length == 0 || n.Contains("..", StringComparison.Ordinal) || n.Contains('\\') || n.Contains(':')
                || n.StartsWith('/') || Path.IsPathRooted(n) || n.Any(char.IsControl))
                throw new InvalidDataException($"{source}: the archive has an unsafe entry name '{n}'.");
            if (!AllowedEntries.Contains(n))
                throw new InvalidDataException($"{source}: the archive has an unexpected entry '{n}' (expected only {string.Join(", ", AllowedEntries)}).");
            if (!entries.TryAdd(n, e)) throw new InvalidDataException($"{source}: the archive has the entry '{n}' twice.");
        }
        foreach (var required in new[] { ConfigEntry, WeightsEntry })
            if (!entries.ContainsKey(required)) throw new InvalidDataException($"{source}: the archive has no '{required}'.");
        return entries;
    }

    private static void CheckDeclaredSize(ZipArchiveEntry e, long max, string source)
    {
        if (e.Length < 0 || e.Length > max)
            throw new InvalidDataException($"{source}: entry '{e.FullName}' declares {e.Length} bytes (at most {max} are accepted).");
        // Deflate cannot expand data more than ~1032 times: a larger declared ratio is a lie or a bomb.
        if (e.Length > e.CompressedLength * 1100L + 4096)
            throw new InvalidDataException($"{source}: entry '{e.FullName}' declares {e.Length} bytes from {e.CompressedLength} compressed bytes, an impossible ratio.");
    }

    /// <summary>Copies an entry, never more than its declared size.</summary>
    private static void CopyBounded(ZipArchiveEntry e, Stream to, string source)
    {
        using var from = e.Open();
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += n;
            if (total > e.Length)
                throw new InvalidDataException($"{source}: entry '{e.FullName}' holds more data than its declared {e.Length} bytes.");
            to.Write(buffer, 0, n);
        }
        if (total != e.Length)
            throw new InvalidDataException($"{source}: entry '{e.FullName}' holds {total} bytes, not its declared {e.Length}.");
    }

    private static SafeTensorsFile ReadSafeTensors(ZipArchiveEntry e, string source)
    {
        CheckDeclaredSize(e, long.MaxValue / 2, source);
        var tmp = Path.Combine(Path.GetTempPath(), $"sharpkeras-{Guid.NewGuid():N}.safetensors");
        using var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        CopyBounded(e, fs, source);
        fs.Position = 0;
        return SafeTensors.Read(fs, $"{source} ({e.FullName})");
    }

    /// <summary>The parsed config.json, format version checked.</summary>
    private static JsonDocument ReadConfig(ZipArchiveEntry e, string source, out int version)
    {
        CheckDeclaredSize(e, MaxConfigBytes, source);
        var ms = new MemoryStream();
        CopyBounded(e, ms, source);
        JsonDocument doc;
        try
        {
            var text = new UTF8Encoding(false, true).GetString(ms.GetBuffer(), 0, (int)ms.Length);
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{source}: config.json is not valid UTF-8 JSON: {ex.Message}", ex);
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new InvalidDataException($"{source}: config.json must be a JSON object.");
        }
        version = 0;
        if (doc.RootElement.TryGetProperty("format_version", out var fv))
        {
            if (fv.ValueKind != JsonValueKind.Number || !fv.TryGetInt32(out version) || version < 0)
            {
                doc.Dispose();
                throw new InvalidDataException($"{source}: format_version must be a non-negative integer, got {fv.GetRawText()}.");
            }
        }
        if (version > FormatVersion)
        {
            string lib = doc.RootElement.TryGetProperty("library_version", out var lv) ? $" (Sharpkeras {lv})" : "";
            doc.Dispose();
            throw new InvalidDataException($"{source}: the file has format_version {version}{lib}; this Sharpkeras ({Keras.Version}) reads up to {FormatVersion}.");
        }
        return doc;
    }

    private static ZipArchive OpenZip(Stream fs, string source)
    {
        try { return new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{source}: not a valid .skeras (zip) file: {e.Message}", e); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{source}: not a valid .skeras (zip) file: {e.Message}", e);
        }
    }

    /// <summary>Loads a model from a .skeras file.</summary>
    public static Model Read(string path, bool compile, IReadOnlyDictionary<string, Type>? customObjects)
    {
        string source = $"'{path}'";
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var zip = OpenZip(fs, source);
        var entries = Entries(zip, source);
        using var doc = ReadConfig(entries[ConfigEntry], source, out int version);
        using var scope = torch.NewDisposeScope();
        using var weights = ReadSafeTensors(entries[WeightsEntry], source);
        using var optimizer = entries.TryGetValue(OptimizerEntry, out var oe) ? ReadSafeTensors(oe, source) : null;
        var root = doc.RootElement;
        var reader = new ConfigReader(customObjects);
        string where = $"{source} config.json";
        long values = weights.Tensors.Sum(t => t.Value.numel());
        Layer layer;
        using (LoadBudget.Begin(values, where)) layer = ModelConfig.ReadLayer(reader, root, where);
        if (layer is not Model model)
            throw new InvalidDataException($"{where}: the saved object is a {layer.GetType().Name}, not a model.");
        Dictionary<string, KerasVariable> map;
        try { map = WeightStore.Match(model, weights.Tensors, $"{source} ({WeightsEntry})"); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: the weights do not fit the model described by its config: {e.Message}", e); }
        WeightStore.Assign(map, weights.Tensors);
        string compileKey = version == 0 ? "training_config" : "compile_config";
        if (compile && root.TryGetProperty(compileKey, out var cc) && cc.ValueKind != JsonValueKind.Null)
        {
            ModelConfig.Compile(reader, model, cc, where);
            if (optimizer != null)
            {
                var entriesByName = optimizer.Tensors.ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
                var apply = OptimizerStateStore.Prepare(model.Optimizer!, model, entriesByName, map, $"{source} ({OptimizerEntry})");
                apply();
            }
        }
        return model;
    }

    /// <summary>Reads only the weights of a .skeras file (for LoadWeights).</summary>
    public static SafeTensorsFile ReadWeights(string path)
    {
        string source = $"'{path}'";
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var zip = OpenZip(fs, source);
        var entries = Entries(zip, source);
        return ReadSafeTensors(entries[WeightsEntry], source);
    }
}
