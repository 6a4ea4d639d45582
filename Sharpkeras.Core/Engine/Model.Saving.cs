using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using static TorchSharp.torch;

namespace Sharpkeras;

public partial class Model
{
    /// <summary>Format version written into <c>.skeras</c> files.</summary>
    public const int SaveFormatVersion = 1;

    private static readonly string[] ArchiveEntries = ["config.json", "model.safetensors", "optimizer.safetensors"];

    /// <summary>
    /// Saves the weights only, as a plain <c>.safetensors</c> file (tensors named by layer path, e.g. "conv2d_1/kernel",
    /// in Keras's layout), written atomically.
    /// </summary>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensors.WriteAtomic(path, WeightsBlob());
    }

    private byte[] WeightsBlob()
    {
        var vars = Variables;
        if (vars.Count == 0)
            throw new InvalidOperationException($"Model '{Name}' has no weights yet: build it (inputShape, Keras.Input, Build or a first call) before saving.");
        return SafeTensors.Serialize(vars.Select(v => (v.Path, v.ToKerasLayout())),
            new Dictionary<string, string> { ["format"] = "sharpkeras", ["library_version"] = Keras.Version });
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> (or any safetensors file with the same names and shapes).
    /// Everything is checked before anything is assigned: a missing, extra or mis-shaped weight throws and the model
    /// stays as it was.
    /// </summary>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file {path} does not exist.", path);
        var (tensors, _) = SafeTensors.Deserialize(File.ReadAllBytes(path), path);
        AssignWeights(tensors, path);
    }

    private void AssignWeights(Dictionary<string, Tensor> tensors, string source)
    {
        var vars = Variables;
        foreach (var v in vars)
        {
            if (!tensors.TryGetValue(v.Path, out var t))
                throw new ArgumentException($"{source} has no weight '{v.Path}' (expected shape ({string.Join(", ", v.KerasShape)})).");
            if (!t.shape.SequenceEqual(v.KerasShape))
                throw new ArgumentException($"{source}: weight '{v.Path}' has shape ({string.Join(", ", t.shape)}), the model expects ({string.Join(", ", v.KerasShape)}).");
        }
        var extra = tensors.Keys.Except(vars.Select(v => v.Path)).ToList();
        if (extra.Count > 0)
            throw new ArgumentException($"{source} has weights the model does not: {string.Join(", ", extra.Take(5))}.");
        foreach (var v in vars) v.Assign(tensors[v.Path]);
    }

    /// <summary>
    /// Saves the whole model as a <c>.skeras</c> file: a zip with <c>config.json</c> (architecture, compile settings,
    /// format and library version) and <c>model.safetensors</c> (weights), written atomically.
    /// </summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var config = new JsonObject
        {
            ["format_version"] = SaveFormatVersion,
            ["library_version"] = Keras.Version,
            ["class_name"] = Serialization.ClassName(this),
            ["config"] = ArchitectureConfig(),
        };
        if (Optimizer is { } opt && Compiled)
        {
            config["compile_config"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["class_name"] = opt.GetType().Name, ["config"] = Serialization.ToJson(opt.GetConfig()) },
                ["loss"] = new JsonArray(_trainer!.State.Losses.Select(l => l is null ? null : (JsonNode)new JsonObject
                    { ["class_name"] = l.GetType().Name, ["config"] = Serialization.ToJson(l.GetConfig()) }).ToArray()),
                ["metrics"] = new JsonArray(_trainer.State.MetricSpecs.Select(m => (JsonNode?)JsonValue.Create(m is string s ? s : ((Metrics.Metric)m).Name)).ToArray()),
            };
        }
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] data)
            {
                var e = zip.CreateEntry(name, CompressionLevel.Fastest);
                using var s = e.Open();
                s.Write(data);
            }
            Add("config.json", Encoding.UTF8.GetBytes(config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })));
            Add("model.safetensors", WeightsBlob());
        }
        SafeTensors.WriteAtomic(path, ms.ToArray());
    }

    /// <summary>The architecture as Keras-like {"class_name", "config"} records.</summary>
    internal virtual JsonObject ArchitectureConfig()
    {
        var c = Serialization.ToJson(GetConfig());
        if (this is Sequential seq)
        {
            c["layers"] = new JsonArray(seq.Layers.Select(l => (JsonNode)LayerRecord(l)).ToArray());
            if (seq.Inputs.Count == 1) c["build_input_shape"] = Serialization.ToJson(new() { ["s"] = seq.Inputs[0].Shape })["s"]!.DeepClone();
            return c;
        }
        if (_nodes != null)
        {
            var layers = new JsonArray();
            foreach (var layer in _functionalLayers!)
            {
                var rec = LayerRecord(layer);
                rec["name"] = layer.Name;
                var inbound = new JsonArray();
                foreach (var node in layer.InboundNodes.Where(n => _nodes.Contains(n)))
                    inbound.Add(new JsonArray(node.Inputs.Select(i => (JsonNode)Ref(i)).ToArray()));
                rec["inbound_nodes"] = inbound;
                layers.Add(rec);
            }
            c["layers"] = layers;
            c["input_layers"] = new JsonArray(_inputs!.Select(i => (JsonNode)Ref(i)).ToArray());
            c["output_layers"] = new JsonArray(_outputs!.Select(o => (JsonNode)Ref(o)).ToArray());
            return c;
        }
        return c;
    }

    private JsonArray Ref(KerasTensor t)
    {
        int nodeIndex = t.Layer.InboundNodes.Where(n => _nodes!.Contains(n)).ToList().IndexOf(t.Node);
        return new JsonArray(JsonValue.Create(t.Layer.Name), JsonValue.Create(Math.Max(0, nodeIndex)), JsonValue.Create(t.Index));
    }

    private static JsonObject LayerRecord(Layer l)
    {
        var cfg = l is Model m ? m.ArchitectureConfig() : Serialization.ToJson(l.GetConfig());
        return new JsonObject { ["class_name"] = Serialization.ClassName(l), ["config"] = cfg };
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save"/>: rebuilds the architecture (Sequential, Functional, or a registered
    /// class), then the weights. The file is untrusted input: unexpected archive entries, unknown classes, malformed
    /// weights or shape mismatches throw <see cref="InvalidDataException"/>; no code from the file is executed.
    /// </summary>
    public static Model Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file {path} does not exist.", path);
        JsonObject root;
        byte[] weights;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var e in zip.Entries)
                if (!ArchiveEntries.Contains(e.FullName))
                    throw new InvalidDataException($"{path}: unexpected entry '{e.FullName}' in the archive.");
            byte[] Read(string name)
            {
                var e = zip.GetEntry(name) ?? throw new InvalidDataException($"{path}: missing '{name}'.");
                if (e.Length > 4L << 30) throw new InvalidDataException($"{path}: '{name}' is too large ({e.Length} bytes).");
                using var s = e.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                return ms.ToArray();
            }
            root = JsonNode.Parse(Read("config.json")) as JsonObject ?? throw new InvalidDataException($"{path}: config.json is not an object.");
            weights = Read("model.safetensors");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a valid .skeras file ({e.Message}).", e);
        }
        int version = root["format_version"]?.GetValue<int>() ?? 0;
        if (version > SaveFormatVersion)
            throw new InvalidDataException($"{path}: format version {version} is newer than this library supports ({SaveFormatVersion}).");
        var className = root["class_name"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: config.json has no class_name.");
        var config = root["config"] as JsonObject ?? throw new InvalidDataException($"{path}: config.json has no config.");
        var model = BuildFromConfig(className, config, path);
        var (tensors, _) = SafeTensors.Deserialize(weights, path + ":model.safetensors");
        try
        {
            model.AssignWeights(tensors, path);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        return model;
    }

    private static Model BuildFromConfig(string className, JsonObject config, string path)
    {
        string? name = config["name"]?.GetValue<string>();
        if (className == "Sequential")
        {
            var seq = new Sequential(name);
            foreach (var rec in config["layers"]?.AsArray() ?? [])
                seq.Add(LayerFromRecord(rec!.AsObject(), path));
            if (!seq.Built && config["build_input_shape"] is JsonArray bis)
                seq.Build(bis.Select(n => n is null ? (int?)null : n.GetValue<int>()).ToArray());
            return seq;
        }
        if (className == "Functional")
        {
            var created = new Dictionary<string, Layer>();
            var outputsByLayer = new Dictionary<string, List<KerasTensor[]>>();
            var pending = (config["layers"]?.AsArray() ?? []).Select(n => n!.AsObject()).ToList();
            KerasTensor Get(JsonArray r)
            {
                var ln = r[0]!.GetValue<string>();
                return outputsByLayer[ln][r[1]!.GetValue<int>()][r[2]!.GetValue<int>()];
            }
            bool progress = true;
            while (pending.Count > 0 && progress)
            {
                progress = false;
                foreach (var rec in pending.ToList())
                {
                    var lname = rec["name"]!.GetValue<string>();
                    var inbound = rec["inbound_nodes"]?.AsArray() ?? [];
                    if (rec["class_name"]?.GetValue<string>() == "InputLayer")
                    {
                        var bs = rec["config"]!["batch_shape"]!.AsArray().Select(n => n is null ? (int?)null : n.GetValue<int>()).ToArray();
                        var dt = Serialization.DTypeFromName(rec["config"]!["dtype"]?.GetValue<string>() ?? "float32");
                        var input = Keras.Input(bs[1..], name: lname, dtype: dt);
                        created[lname] = input.Layer;
                        outputsByLayer[lname] = [[input]];
                        pending.Remove(rec);
                        progress = true;
                        continue;
                    }
                    bool ready = inbound.All(node => node!.AsArray().All(r => outputsByLayer.TryGetValue(r![0]!.GetValue<string>(), out var l)
                                                                              && l.Count > r[1]!.GetValue<int>()));
                    if (!ready) continue;
                    var layer = LayerFromRecord(rec, path);
                    created[lname] = layer;
                    var outs = new List<KerasTensor[]>();
                    foreach (var node in inbound)
                        outs.Add(layer.ApplyMulti(node!.AsArray().Select(r => Get(r!.AsArray())).ToArray()));
                    outputsByLayer[lname] = outs;
                    pending.Remove(rec);
                    progress = true;
                }
            }
            if (pending.Count > 0)
                throw new InvalidDataException($"{path}: the graph cannot be rebuilt; unresolved layers: {string.Join(", ", pending.Select(p => p["name"]))}.");
            var ins = config["input_layers"]!.AsArray().Select(r => Get(r!.AsArray())).ToArray();
            var outsT = config["output_layers"]!.AsArray().Select(r => Get(r!.AsArray())).ToArray();
            return new Model(ins, outsT, name);
        }
        var type = Serialization.Resolve(className);
        if (!typeof(Model).IsAssignableFrom(type)) throw new InvalidDataException($"{path}: class '{className}' is not a model.");
        return (Model)Serialization.Create(type, config);
    }

    private static Layer LayerFromRecord(JsonObject rec, string path)
    {
        var cn = rec["class_name"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: a layer record has no class_name.");
        var cfg = rec["config"] as JsonObject ?? throw new InvalidDataException($"{path}: layer record '{cn}' has no config.");
        if (cn is "Sequential" or "Functional") return BuildFromConfig(cn, cfg, path);
        return Serialization.Create(Serialization.Resolve(cn), cfg);
    }
}
