using System.Runtime.InteropServices;
using System.Text.Json;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// The model part of a saved config, in Keras's layout: a Functional model as its graph (layers with
/// their inbound nodes <c>[[layer_name, node_index, tensor_index], …]</c>, <c>input_layers</c>,
/// <c>output_layers</c>), a Sequential as its list of layers, a subclassed model as its registered class,
/// its <c>GetConfig()</c> and a <c>build_config</c> (input shape) to create its weights; plus the
/// compile config (optimizer, losses, metrics, loss weights).
/// </summary>
internal static class ModelConfig
{
    public const string FunctionalClass = "Functional";
    public const string SequentialClass = "Sequential";

    /// <summary>The largest per-sample input size a loaded InputLayer may declare (2^28 values).</summary>
    public const long MaxInputValues = 1L << 28;

    public static bool IsModelClassName(string className, string? registeredName) =>
        registeredName is null && className is FunctionalClass or SequentialClass;

    // ================================================================================ writing

    /// <summary>Writes a layer (or model) record: module, class_name, registered_name, config, build_config.</summary>
    public static void WriteLayerRecord(Utf8JsonWriter w, Layer layer, Action<Utf8JsonWriter>? before = null, Action<Utf8JsonWriter>? after = null)
    {
        w.WriteStartObject();
        before?.Invoke(w);
        string where = $"layer '{layer.Name}' ({layer.GetType().Name})";
        if (layer.GetType() == typeof(Model) && layer is Model { IsFunctional: true } fm)
        {
            w.WriteString("module", typeof(Model).Namespace);
            w.WriteString("class_name", FunctionalClass);
            w.WriteNull("registered_name");
            w.WritePropertyName("config");
            WriteFunctionalConfig(w, fm);
        }
        else if (layer.GetType() == typeof(Sequential))
        {
            w.WriteString("module", typeof(Sequential).Namespace);
            w.WriteString("class_name", SequentialClass);
            w.WriteNull("registered_name");
            w.WritePropertyName("config");
            WriteSequentialConfig(w, (Sequential)layer);
        }
        else
        {
            ConfigWriter.WriteRecordHeader(w, layer.GetType());
            w.WritePropertyName("config");
            ConfigWriter.WriteValue(w, layer.GetConfig(), where);
            if (layer is Model && layer.InputShape != null)
            {
                w.WriteStartObject("build_config");
                w.WritePropertyName("input_shape");
                ConfigWriter.WriteValue(w, layer.InputShape, where);
                w.WriteEndObject();
            }
        }
        after?.Invoke(w);
        w.WriteEndObject();
    }

    private static void WriteSequentialConfig(Utf8JsonWriter w, Sequential model)
    {
        w.WriteStartObject();
        w.WriteString("name", model.Name);
        w.WriteBoolean("trainable", model.Trainable);
        w.WriteString("dtype", model.DTypePolicy.Name);
        w.WriteStartArray("layers");
        if (model.Inputs.Count == 1) WriteLayerRecord(w, model.Inputs[0].Layer);
        foreach (var l in model.Layers) WriteLayerRecord(w, l);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFunctionalConfig(Utf8JsonWriter w, Model model)
    {
        var nodes = model.GraphNodes!;
        // A layer's node index counts only its calls inside this model, in graph order.
        var nodeIndex = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var nodesOf = new Dictionary<Layer, List<Node>>(ReferenceEqualityComparer.Instance);
        foreach (var n in nodes)
        {
            if (!nodesOf.TryGetValue(n.Layer, out var list)) nodesOf[n.Layer] = list = new List<Node>();
            nodeIndex[n] = list.Count;
            list.Add(n);
        }
        void WriteRef(KerasTensor t, bool causal = false)
        {
            w.WriteStartArray();
            w.WriteStringValue(t.Node.Layer.Name);
            w.WriteNumberValue(nodeIndex[t.Node]);
            w.WriteNumberValue(t.Index);
            if (causal)
            {
                // The call's keyword arguments, as Keras 2's inbound nodes carry them.
                w.WriteStartObject();
                w.WriteBoolean("use_causal_mask", true);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartObject();
        w.WriteString("name", model.Name);
        w.WriteBoolean("trainable", model.Trainable);
        w.WriteStartArray("layers");
        foreach (var layer in model.Layers)
        {
            WriteLayerRecord(w, layer, after: x =>
            {
                x.WriteString("name", layer.Name);
                x.WriteStartArray("inbound_nodes");
                if (layer is not InputLayer && nodesOf.TryGetValue(layer, out var ns))
                    foreach (var n in ns)
                    {
                        x.WriteStartArray();
                        bool causal = KerasFormat.KerasCallArguments.UsesCausalMask(layer);
                        foreach (var t in n.Inputs) WriteRef(t, causal);
                        x.WriteEndArray();
                    }
                x.WriteEndArray();
            });
        }
        w.WriteEndArray();
        w.WriteStartArray("input_layers");
        foreach (var t in model.GraphInputs!) WriteRef(t);
        w.WriteEndArray();
        w.WriteStartArray("output_layers");
        foreach (var t in model.GraphOutputs!) WriteRef(t);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes the compile config of a compiled model.</summary>
    public static void WriteCompileConfig(Utf8JsonWriter w, Model model)
    {
        var compiledLoss = model.CompiledLoss!;
        w.WriteStartObject();
        w.WritePropertyName("optimizer");
        var opt = model.Optimizer!;
        var optConfig = new Dictionary<string, object?>(opt.GetConfig());
        if (opt.Schedule != null) optConfig["learning_rate"] = opt.Schedule;
        w.WriteStartObject();
        ConfigWriter.WriteRecordHeader(w, opt.GetType());
        w.WritePropertyName("config");
        ConfigWriter.WriteValue(w, optConfig, $"optimizer '{opt.Name}'");
        w.WriteEndObject();
        w.WriteStartArray("loss");
        foreach (var l in compiledLoss.Losses)
            if (l is null) w.WriteNullValue();
            else ConfigWriter.WriteObjectRecord(w, l, $"loss '{l.Name}'");
        w.WriteEndArray();
        w.WriteStartArray("loss_weights");
        foreach (var lw in compiledLoss.LossWeights) ConfigWriter.WriteDouble(w, lw);
        w.WriteEndArray();
        w.WriteStartArray("metrics");
        foreach (var m in model.CompileArguments!.Value.metrics)
            if (m is string s) w.WriteStringValue(s);
            else ConfigWriter.WriteObjectRecord(w, m, $"metric '{(m as Metrics.Metric)?.Name}'");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // ================================================================================ reading

    /// <summary>Rebuilds a layer or model from its record.</summary>
    public static Layer ReadLayer(ConfigReader reader, JsonElement record, string where)
    {
        var (className, registered, config) = ConfigReader.RecordParts(record, where);
        string name = config.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : className;
        where = $"{where} > {className} '{name}'";
        if (registered is null && className == FunctionalClass) return ReadFunctional(reader, config, where);
        if (registered is null && className == SequentialClass) return ReadSequential(reader, config, where);
        if (registered is null && className == nameof(InputLayer)) return ReadInputLayer(config, where);
        var type = reader.ResolveType(className, registered, typeof(Layer), where);
        if (type == typeof(Sequential)) return ReadSequential(reader, config, where);
        if (type == typeof(Model)) return ReadFunctional(reader, config, where);
        if (type == typeof(InputLayer)) return ReadInputLayer(config, where);
        // The dtype policy: through the constructor when it takes one, else set on the new layer (Keras passes it as a
        // base-layer keyword argument that every layer takes).
        Layer layer;
        var policy = ReadPolicy(config, where);
        if (policy is null || TakesDType(type)) layer = (Layer)reader.Construct(type, config, where);
        else
        {
            layer = (Layer)reader.Construct(type, config, where, DTypeKey);
            try { layer.DTypePolicy = policy; }
            catch (InvalidOperationException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
        }
        if (layer is Model m && record.TryGetProperty("build_config", out var bc) && bc.ValueKind == JsonValueKind.Object)
            BuildSubclassed(reader, m, bc, where);
        return layer;
    }

    private static readonly IReadOnlySet<string> DTypeKey = new HashSet<string> { "dtype" };

    private static bool TakesDType(Type type) => type.GetConstructors()
        .Any(c => c.GetParameters().Any(p => ConfigReader.Normalize(p.Name ?? "") == "dtype"));

    /// <summary>A layer config's "dtype" as a policy (a name, or a Keras DTypePolicy record); null when absent.</summary>
    private static DTypePolicy? ReadPolicy(JsonElement config, string where)
    {
        if (!config.TryGetProperty("dtype", out var dt) || dt.ValueKind == JsonValueKind.Null) return null;
        string? name = dt.ValueKind == JsonValueKind.String ? dt.GetString()
            : dt.ValueKind == JsonValueKind.Object && dt.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object
              && c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (name is null) throw new InvalidDataException($"{where}: 'dtype' must be a dtype policy name, got {dt.GetRawText()}.");
        try { return new DTypePolicy(name); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
    }

    private static InputLayer ReadInputLayer(JsonElement config, string where)
    {
        if (!config.TryGetProperty("batch_shape", out var bs) && !config.TryGetProperty("batch_input_shape", out bs))
            throw new InvalidDataException($"{where}: an InputLayer config needs 'batch_shape'.");
        var shape = ReadShape(bs, where, "batch_shape");
        if (shape.Length == 0) throw new InvalidDataException($"{where}: 'batch_shape' must include the batch dimension.");
        // Shape inference may run layers on zeros of this shape: refuse absurd sizes from a file.
        long perSample = 1;
        foreach (var d in shape.Skip(1)) perSample = Math.Min(perSample * (d ?? 1), 1L << 40);
        if (perSample > MaxInputValues)
            throw new InvalidDataException($"{where}: 'batch_shape' {Engine.ShapeUtils.Format(shape)} has more than {MaxInputValues} values per sample.");
        var dtype = ScalarType.Float32;
        if (config.TryGetProperty("dtype", out var dt) && dt.ValueKind == JsonValueKind.String)
            dtype = ConfigReader.ParseDType(dt.GetString()!) ?? throw new InvalidDataException($"{where}: unknown dtype '{dt.GetString()}'.");
        string? name = config.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        try { return new InputLayer(shape[1..], shape[0], name, dtype); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
    }

    private static int?[] ReadShape(JsonElement e, string where, string key)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() > 64)
            throw new InvalidDataException($"{where}: '{key}' must be an array of at most 64 dimensions.");
        return e.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Null ? (int?)null
            : d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int v) && v > 0 ? v
            : throw new InvalidDataException($"{where}: '{key}' has an invalid dimension {d.GetRawText()}.")).ToArray();
    }

    private static (string name, bool trainable) NameAndTrainable(JsonElement config, string where)
    {
        string? name = null;
        if (config.TryGetProperty("name", out var n))
            name = n.ValueKind == JsonValueKind.String ? n.GetString() : throw new InvalidDataException($"{where}: 'name' must be a string.");
        bool trainable = true;
        if (config.TryGetProperty("trainable", out var t))
            trainable = t.ValueKind switch
            {
                JsonValueKind.True => true, JsonValueKind.False => false,
                _ => throw new InvalidDataException($"{where}: 'trainable' must be a boolean."),
            };
        return (name ?? "", trainable);
    }

    private static Sequential ReadSequential(ConfigReader reader, JsonElement config, string where)
    {
        var (name, trainable) = NameAndTrainable(config, where);
        if (!config.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: a Sequential config needs a 'layers' array.");
        var model = new Sequential(name: name.Length > 0 ? name : null);
        if (ReadPolicy(config, where) is { } policy) model.DTypePolicy = policy;
        int i = 0;
        foreach (var rec in layers.EnumerateArray())
        {
            var layer = ReadLayer(reader, rec, $"{where} layers[{i++}]");
            try { model.Add(layer); }
            catch (ArgumentException e) { throw new InvalidDataException($"{where}: adding layer '{layer.Name}' failed: {e.Message}", e); }
        }
        if (!trainable) model.Trainable = false;
        return model;
    }

    private readonly record struct Ref(string Layer, int Node, int Tensor, bool Causal = false);

    private static Ref ReadRef(JsonElement e, string where)
    {
        // [layer_name, node_index, tensor_index] (Keras 2 adds a 4th element, the call kwargs, of which
        // use_causal_mask is kept).
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() is 3 or 4)
        {
            var a = e.EnumerateArray().ToArray();
            bool causal = a.Length == 4 && a[3].ValueKind == JsonValueKind.Object
                          && a[3].TryGetProperty("use_causal_mask", out var c) && c.ValueKind == JsonValueKind.True;
            if (a[0].ValueKind == JsonValueKind.String && a[1].TryGetInt32(out int node) && a[2].TryGetInt32(out int tensor) && node >= 0 && tensor >= 0)
                return new Ref(a[0].GetString()!, node, tensor, causal);
        }
        throw new InvalidDataException($"{where}: a tensor reference must be [layer_name, node_index, tensor_index], got {e.GetRawText()}.");
    }

    private static Model ReadFunctional(ConfigReader reader, JsonElement config, string where)
    {
        var (name, trainable) = NameAndTrainable(config, where);
        if (!config.TryGetProperty("layers", out var layersEl) || layersEl.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: a Functional config needs a 'layers' array.");
        var layers = new List<(string Name, Layer Layer, List<Ref[]> Nodes)>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        int i = 0;
        foreach (var rec in layersEl.EnumerateArray())
        {
            string at = $"{where} layers[{i++}]";
            if (rec.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{at}: expected a layer record.");
            string? lname = rec.TryGetProperty("name", out var ln) && ln.ValueKind == JsonValueKind.String ? ln.GetString() : null;
            if (lname is null && rec.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object
                && c.TryGetProperty("name", out var cn) && cn.ValueKind == JsonValueKind.String) lname = cn.GetString();
            if (string.IsNullOrEmpty(lname)) throw new InvalidDataException($"{at}: the layer record has no name.");
            if (byName.ContainsKey(lname)) throw new InvalidDataException($"{where}: two layers are named '{lname}'.");
            var layer = ReadLayer(reader, rec, at);
            var nodes = new List<Ref[]>();
            if (rec.TryGetProperty("inbound_nodes", out var inb))
            {
                if (inb.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{at}: 'inbound_nodes' must be an array.");
                foreach (var node in inb.EnumerateArray())
                {
                    if (node.ValueKind != JsonValueKind.Array || node.GetArrayLength() == 0)
                        throw new InvalidDataException($"{at}: each inbound node must be a non-empty array of tensor references.");
                    nodes.Add(node.EnumerateArray().Select(r => ReadRef(r, at)).ToArray());
                }
            }
            if (layer is InputLayer && nodes.Count > 0) throw new InvalidDataException($"{at}: an InputLayer has no inbound nodes.");
            byName[lname] = layers.Count;
            layers.Add((lname, layer, nodes));
        }

        // Re-apply the layers in an order where every input exists (each layer's nodes in their saved order).
        var outputs = layers.Select(l => l.Layer is InputLayer il ? new List<KerasTensor[]> { new[] { il.Output } } : new List<KerasTensor[]>()).ToList();
        var next = new int[layers.Count];
        KerasTensor? Lookup(Ref r)
        {
            if (!byName.TryGetValue(r.Layer, out int li))
                throw new InvalidDataException($"{where}: a node refers to an unknown layer '{r.Layer}'.");
            var outs = outputs[li];
            if (r.Node >= outs.Count) return null;
            if (r.Tensor >= outs[r.Node].Length)
                throw new InvalidDataException($"{where}: layer '{r.Layer}' node {r.Node} has {outs[r.Node].Length} output(s), tensor {r.Tensor} was asked for.");
            return outs[r.Node][r.Tensor];
        }
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int li = 0; li < layers.Count; li++)
            {
                var (lname, layer, nodes) = layers[li];
                while (next[li] < nodes.Count)
                {
                    var ins = nodes[next[li]].Select(Lookup).ToArray();
                    if (ins.Any(t => t is null)) break;
                    KerasTensor[] outs;
                    try { outs = KerasFormat.KerasCallArguments.Apply(layer, ins!, nodes[next[li]].Any(r => r.Causal)); }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotImplementedException)
                    {
                        throw new InvalidDataException($"{where}: applying layer '{lname}' to its saved inputs failed: {e.Message}", e);
                    }
                    outputs[li].Add(outs);
                    next[li]++;
                    progress = true;
                }
            }
        }
        for (int li = 0; li < layers.Count; li++)
            if (next[li] < layers[li].Nodes.Count)
                throw new InvalidDataException($"{where}: the inputs of layer '{layers[li].Name}' node {next[li]} can never be computed (a cycle or a missing node).");

        KerasTensor[] Ends(string key)
        {
            if (!config.TryGetProperty(key, out var arr) || arr.ValueKind != JsonValueKind.Array || arr.GetArrayLength() == 0)
                throw new InvalidDataException($"{where}: a Functional config needs a non-empty '{key}' array.");
            return arr.EnumerateArray().Select(e => Lookup(ReadRef(e, where))
                ?? throw new InvalidDataException($"{where}: '{key}' refers to a node that does not exist ({e.GetRawText()}).")).ToArray();
        }
        var inputs = Ends("input_layers");
        var outs2 = Ends("output_layers");
        Model model;
        try { model = new Model(inputs, outs2, name.Length > 0 ? name : null); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: the saved graph is not a valid model: {e.Message}", e); }
        if (!trainable) model.Trainable = false;
        return model;
    }

    /// <summary>Creates a subclassed model's weights by calling it once on zeros of its saved input shape.</summary>
    private static void BuildSubclassed(ConfigReader reader, Model model, JsonElement buildConfig, string where)
    {
        if (!buildConfig.TryGetProperty("input_shape", out var s)) return;
        var shape = ReadShape(s, where, "build_config.input_shape");
        if (shape.Length == 0 || shape.Length > 16) throw new InvalidDataException($"{where}: build_config.input_shape must have 1 to 16 dimensions.");
        var dims = shape.Select(d => (long)(d ?? 1)).ToArray();
        long numel = 1;
        foreach (var d in dims) numel = numel * d > MaxInputValues ? throw new InvalidDataException(
            $"{where}: build_config.input_shape {Engine.ShapeUtils.Format(shape)} is too large to build the model with.") : numel * d;
        dims[0] = 1;
        Exception? first = null;
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Int64 })
        {
            using var scope = torch.NewDisposeScope();
            using var ng = torch.no_grad();
            try
            {
                model.Forward([torch.zeros(dims, dtype: dtype, device: model.Device)], training: false);
                model.ClearLosses();
                return;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotImplementedException or ExternalException)
            {
                model.ClearLosses();
                first ??= e;
                if (model.Variables.Count > 0) break;
            }
        }
        throw new InvalidDataException($"{where}: building the model on an input of shape {Engine.ShapeUtils.Format(shape)} failed: {first!.Message}", first);
    }

    /// <summary>Compiles a loaded model from its compile config (a v0 "training_config" too).</summary>
    public static void Compile(ConfigReader reader, Model model, JsonElement cc, string where)
    {
        if (cc.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: the compile config must be an object.");
        if (!cc.TryGetProperty("optimizer", out var optRec) && !cc.TryGetProperty("optimizer_config", out optRec))
            throw new InvalidDataException($"{where}: the compile config has no optimizer.");
        var opt = (Optimizers.Optimizer)reader.ReadRecord(optRec, typeof(Optimizers.Optimizer), $"{where} optimizer");
        object? loss = null;
        if (cc.TryGetProperty("loss", out var lossEl) && lossEl.ValueKind != JsonValueKind.Null)
        {
            if (lossEl.ValueKind != JsonValueKind.Array) lossEl = JsonDocument.Parse($"[{lossEl.GetRawText()}]").RootElement;
            var losses = lossEl.EnumerateArray().Select((e, i) => e.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => LossAlias(e.GetString()!, where),
                _ => (Losses.Loss)reader.ReadRecord(e, typeof(Losses.Loss), $"{where} loss[{i}]"),
            }).ToArray();
            if (losses.Any(l => l != null)) loss = losses;
        }
        double[]? lossWeights = null;
        if (cc.TryGetProperty("loss_weights", out var lw) && lw.ValueKind != JsonValueKind.Null)
            lossWeights = (double[]?)reader.Convert(lw, typeof(double[]), "loss_weights", where);
        var metrics = new List<object>();
        if (cc.TryGetProperty("metrics", out var ms) && ms.ValueKind != JsonValueKind.Null)
        {
            if (ms.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{where}: 'metrics' must be an array.");
            int i = 0;
            foreach (var m in ms.EnumerateArray())
                metrics.Add(m.ValueKind == JsonValueKind.String ? m.GetString()!
                    : reader.ReadRecord(m, typeof(Metrics.Metric), $"{where} metrics[{i++}]"));
        }
        try { model.Compile(optimizer: opt, loss: loss, metrics: metrics, lossWeights: lossWeights); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: compiling the loaded model failed: {e.Message}", e); }
    }

    private static Losses.Loss LossAlias(string alias, string where)
    {
        try { return Losses.Loss.Get(alias); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}", e); }
    }
}
