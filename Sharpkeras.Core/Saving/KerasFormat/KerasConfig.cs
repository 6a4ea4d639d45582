using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpkeras.Layers;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// Translates between Sharpkeras's saved config and the <c>config.json</c> that Keras 3 writes
/// (<c>serialization_lib.serialize_keras_object</c>): built-in objects carry Keras's module
/// ("keras.layers", "keras.optimizers", …) and class name, a layer's dtype is a <c>DTypePolicy</c> record,
/// each built layer has a <c>build_config</c>, and a Functional model's inbound nodes are
/// <c>{"args": [...], "kwargs": {...}}</c> with <c>__keras_tensor__</c> records (shape, dtype,
/// <c>keras_history</c>). Reading accepts both that form and the older list form, and drops only the keys Keras
/// writes for features Sharpkeras does not have when they hold Keras's "unused" value (e.g. <c>lora_rank: null</c>).
/// </summary>
internal static class KerasConfig
{
    /// <summary>Config keys Keras writes that Sharpkeras has no counterpart for, with the value that means "not used".</summary>
    private static readonly (string Key, string UnusedJson)[] Unused =
    [
        ("lora_rank", "null"), ("lora_alpha", "null"), ("quantization_config", "null"), ("synchronized", "false"),
        ("sparse", "false"), ("ragged", "false"), ("optional", "false"), ("gradient_accumulation_steps", "null"),
        ("loss_scale_factor", "null"), ("use_ema", "false"), ("ema_momentum", "0.99"), ("ema_overwrite_frequency", "null"),
        ("ignore_class", "null"), ("use_gate", "false"), ("sliding_window", "null"), ("rms_scaling", "false"),
    ];

    // ==================================================================================== writing

    /// <summary>The Keras 3 <c>config.json</c> object of <paramref name="model"/> (with its compile config when compiled).</summary>
    public static JsonObject ToKeras(Model model)
    {
        var record = Parse(w => ModelConfig.WriteLayerRecord(w, model));
        ConvertRecords(record);
        LayerRecordToKeras(record, model);
        if (model.Compiled)
        {
            var cc = Parse(w => ModelConfig.WriteCompileConfig(w, model));
            ConvertRecords(cc);
            if (cc["loss"] is JsonArray { Count: 1 } one) cc["loss"] = one[0]?.DeepClone();
            if (cc["loss_weights"] is JsonArray lw && lw.All(x => x is JsonValue v && v.TryGetValue<double>(out var d) && d == 1.0))
                cc["loss_weights"] = null;
            cc["weighted_metrics"] = null;
            cc["run_eagerly"] = false;
            cc["steps_per_execution"] = 1;
            cc["jit_compile"] = false;
            record["compile_config"] = cc;
        }
        return record;
    }

    private static JsonObject Parse(Action<Utf8JsonWriter> write)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) write(w);
        return JsonNode.Parse(ms.ToArray())!.AsObject();
    }

    private static JsonArray ShapeNode(IEnumerable<int?> shape) => new(shape.Select(d => d is int v ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    /// <summary>Gives every built-in record Keras's module and class name (recursively).</summary>
    private static void ConvertRecords(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray a:
                foreach (var item in a) ConvertRecords(item);
                break;
            case JsonObject o:
                if (o["class_name"] is JsonValue cn && cn.TryGetValue<string>(out var className) && o.ContainsKey("config")
                    && o["registered_name"] is null)
                {
                    var type = TypeCatalog.FindBuiltIn(className, typeof(object)).FirstOrDefault()
                               ?? (className == ModelConfig.FunctionalClass ? typeof(Model) : className == ModelConfig.SequentialClass ? typeof(Sequential) : null);
                    if (type != null && KerasNames.Module(type) is string module)
                    {
                        o["module"] = module;
                        if (type == typeof(Model)) o["registered_name"] = ModelConfig.FunctionalClass; // as Keras writes it
                        else o["class_name"] = KerasNames.ClassName(type);
                    }
                }
                foreach (var kv in o.ToList()) ConvertRecords(kv.Value);
                break;
        }
    }

    private static JsonObject DTypePolicy(string name) => new()
    {
        ["module"] = "keras", ["class_name"] = "DTypePolicy", ["config"] = new JsonObject { ["name"] = name }, ["registered_name"] = null,
    };

    /// <summary>Keras's InputLayer.get_config: exactly batch_shape, dtype, sparse, ragged, name and optional.</summary>
    private static void InputLayerToKeras(JsonObject record)
    {
        if (record["config"] is not JsonObject config || config["batch_shape"] is not JsonNode batchShape) return;
        record["config"] = new JsonObject
        {
            ["batch_shape"] = batchShape.DeepClone(), ["dtype"] = config["dtype"]?.DeepClone(), ["sparse"] = false, ["ragged"] = false,
            ["name"] = config["name"]?.DeepClone(), ["optional"] = false,
        };
    }

    /// <summary>Adds what Keras writes for a layer record whose object is <paramref name="layer"/>.</summary>
    private static void LayerRecordToKeras(JsonObject record, Layer layer)
    {
        if (record["config"] is not JsonObject config) return;
        if (layer is InputLayer)
        {
            InputLayerToKeras(record);
            return;
        }
        if (layer is not InputLayer && layer is not Model && config["dtype"] is JsonValue dt && dt.TryGetValue<string>(out var dtype))
            config["dtype"] = DTypePolicy(dtype);
        if (layer is Model { IsFunctional: true } fm && layer.GetType() == typeof(Model)) FunctionalToKeras(config, fm);
        else if (layer is Sequential seq)
        {
            if (config["layers"] is JsonArray layers)
            {
                int offset = layers.Count - seq.Layers.Count;
                for (int i = 0; i < offset; i++)
                    if (layers[i] is JsonObject ir && ir["class_name"]?.GetValue<string>() == nameof(InputLayer)) InputLayerToKeras(ir);
                for (int i = 0; i < seq.Layers.Count; i++)
                    if (layers[i + offset] is JsonObject lr) LayerRecordToKeras(lr, seq.Layers[i]);
            }
            if (seq.Inputs.Count == 1)
            {
                config["build_input_shape"] = ShapeNode(seq.Inputs[0].Shape);
                record["build_config"] = new JsonObject { ["input_shape"] = ShapeNode(seq.Inputs[0].Shape) };
            }
        }
        else if (layer is not InputLayer && layer.Built && layer.InputShape != null && record["build_config"] is null)
            record["build_config"] = new JsonObject { ["input_shape"] = ShapeNode(layer.InputShape) };
    }

    private static void FunctionalToKeras(JsonObject config, Model model)
    {
        // Outputs of each layer's nodes in graph order, as ModelConfig numbers them.
        var nodesOf = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        foreach (var n in model.GraphNodes!)
        {
            if (!nodesOf.TryGetValue(n.Layer.Name, out var list)) nodesOf[n.Layer.Name] = list = new List<Node>();
            list.Add(n);
        }
        var byName = model.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        JsonObject Tensor(JsonArray reference)
        {
            string name = reference[0]!.GetValue<string>();
            int node = reference[1]!.GetValue<int>(), index = reference[2]!.GetValue<int>();
            var kt = nodesOf.TryGetValue(name, out var ns) && node < ns.Count ? ns[node].Outputs[index]
                : byName.TryGetValue(name, out var l) && l is InputLayer il ? il.Output : throw new InvalidOperationException($"Internal error: no tensor {reference.ToJsonString()}.");
            return new JsonObject
            {
                ["class_name"] = "__keras_tensor__",
                ["config"] = new JsonObject
                {
                    ["shape"] = ShapeNode(kt.Shape), ["dtype"] = Layer.DTypeName(kt.DType),
                    ["keras_history"] = new JsonArray(name, node, index),
                },
            };
        }
        if (config["layers"] is not JsonArray layers) return;
        foreach (var lr in layers.OfType<JsonObject>())
        {
            string name = lr["name"]!.GetValue<string>();
            var layer = byName[name];
            LayerRecordToKeras(lr, layer);
            // Keras's attention layers take these as call arguments, not constructor arguments.
            bool causal = KerasCallArguments.UsesCausalMask(layer);
            bool scores = KerasCallArguments.ReturnsAttentionScores(layer);
            if (lr["config"] is JsonObject lc) lc.Remove("return_attention_scores");
            if (lr["inbound_nodes"] is not JsonArray inbound) continue;
            var converted = new JsonArray();
            foreach (var node in inbound.OfType<JsonArray>())
            {
                var tensors = node.OfType<JsonArray>().Select(Tensor).ToList();
                var kwargs = new JsonObject();
                JsonArray args;
                if (KerasCallArguments.IsMultiHeadAttention(layer))
                {
                    // call(query, value, key=None, ..., attention_mask=None, ...): the bool tensor at the end is the mask.
                    if (tensors.Count >= 3 && tensors[^1]["config"]?["dtype"]?.GetValue<string>() == "bool")
                    {
                        kwargs["attention_mask"] = tensors[^1];
                        tensors.RemoveAt(tensors.Count - 1);
                    }
                    args = new JsonArray(tensors.ToArray<JsonNode?>());
                }
                else if (KerasCallArguments.TakesInitialState(layer) && tensors.Count > 1)
                {
                    // call(sequences, initial_state=None, ...)
                    args = new JsonArray(tensors[0]);
                    kwargs["initial_state"] = new JsonArray(tensors.Skip(1).ToArray<JsonNode?>());
                }
                else args = tensors.Count == 1 ? new JsonArray(tensors[0]) : new JsonArray(new JsonArray(tensors.ToArray<JsonNode?>()));
                if (scores) kwargs["return_attention_scores"] = true;
                if (causal) kwargs["use_causal_mask"] = true;
                converted.Add(new JsonObject { ["args"] = args, ["kwargs"] = kwargs });
            }
            lr["inbound_nodes"] = converted;
        }
        foreach (var key in new[] { "input_layers", "output_layers" })
            if (config[key] is JsonArray { Count: 1 } single && single[0] is JsonArray only)
                config[key] = only.DeepClone();
    }

    // ==================================================================================== reading

    /// <summary>
    /// Rewrites a Keras 3 <c>config.json</c> (parsed) into the form <see cref="ModelConfig"/> reads; the input is
    /// untrusted and only restructured here: every class it names is still resolved and checked by the reader.
    /// </summary>
    public static JsonNode FromKeras(JsonNode root, string where)
    {
        var copy = root.DeepClone();
        Normalize(copy, where, 0);
        return copy;
    }

    private static void Normalize(JsonNode? node, string where, int depth)
    {
        if (depth > 200) throw new InvalidDataException($"{where}: the config is nested more than 200 levels deep.");
        switch (node)
        {
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    if (IsDTypePolicy(a[i], out var n)) a[i] = n;
                    else Normalize(a[i], where, depth + 1);
                }
                break;
            case JsonObject o:
                if (o["class_name"] is JsonValue cn && cn.TryGetValue<string>(out var className))
                {
                    bool fromKeras = o["module"] is JsonValue m && m.TryGetValue<string>(out var module)
                                     && (module == "keras" || module.StartsWith("keras.", StringComparison.Ordinal));
                    if (fromKeras && o["registered_name"] is JsonValue rn && rn.TryGetValue<string>(out var reg) && reg == className)
                        o["registered_name"] = null; // Keras marks its own Functional class as "registered" under its own name
                    if (o["config"] is JsonObject config)
                    {
                        foreach (var (key, unused) in Unused)
                            if (config.TryGetPropertyValue(key, out var v) && JsonNode.DeepEquals(v, JsonNode.Parse(unused)))
                                config.Remove(key);
                        if (className == ModelConfig.FunctionalClass || (config.ContainsKey("layers") && config.ContainsKey("input_layers")))
                            FunctionalFromKeras(config, where);
                    }
                }
                foreach (var kv in o.ToList())
                {
                    if (IsDTypePolicy(kv.Value, out var n)) o[kv.Key] = n;
                    else Normalize(kv.Value, where, depth + 1);
                }
                break;
        }
    }

    private static bool IsDTypePolicy(JsonNode? node, out JsonNode? name)
    {
        name = null;
        if (node is JsonObject o && o["class_name"] is JsonValue cn && cn.TryGetValue<string>(out var c)
            && c is "DTypePolicy" or "FloatDTypePolicy" && o["config"] is JsonObject cfg && cfg["name"] is JsonValue n && n.TryGetValue<string>(out var s))
        {
            name = JsonValue.Create(s);
            return true;
        }
        return false;
    }

    private static void FunctionalFromKeras(JsonObject config, string where)
    {
        if (config["layers"] is JsonArray layers)
            foreach (var lr in layers.OfType<JsonObject>())
            {
                if (lr["inbound_nodes"] is not JsonArray inbound) continue;
                var converted = new JsonArray();
                foreach (var node in inbound)
                {
                    if (node is JsonArray legacy) { converted.Add(legacy.DeepClone()); continue; }
                    if (node is not JsonObject call)
                        throw new InvalidDataException($"{where}: layer '{lr["name"]}' has an inbound node that is neither a list nor an {{\"args\", \"kwargs\"}} object.");
                    var refs = new JsonArray();
                    CollectTensors(call["args"], refs, where, 0);
                    bool causal = false;
                    if (call["kwargs"] is JsonObject kwargs)
                    {
                        // Tensors in Sharpkeras's input order: [query, value, key] / [inputs], then the RNN's initial
                        // states, then MultiHeadAttention's bool attention mask (recognised by its dtype).
                        string[] tensorKeys = ["query", "value", "key", "inputs", "initial_state", "attention_mask"];
                        foreach (var key in tensorKeys.Concat(kwargs.Select(k => k.Key).Where(k => !tensorKeys.Contains(k))))
                        {
                            if (!kwargs.TryGetPropertyValue(key, out var kv)) continue;
                            int before = refs.Count;
                            CollectTensors(kv, refs, where, 0);
                            if (refs.Count > before && !tensorKeys.Contains(key))
                                throw new InvalidDataException(
                                    $"{where}: layer '{lr["name"]}' is called with a tensor as the keyword argument '{key}', which Sharpkeras cannot rebuild.");
                        }
                        causal = IsTrue(kwargs["use_causal_mask"]);
                        if (IsTrue(kwargs["return_attention_scores"]) && lr["config"] is JsonObject lc)
                            lc["return_attention_scores"] = true;
                    }
                    if (refs.Count == 0) throw new InvalidDataException($"{where}: layer '{lr["name"]}' has an inbound node without input tensors.");
                    if (causal)
                        foreach (var r in refs.OfType<JsonArray>()) r.Add(new JsonObject { ["use_causal_mask"] = true });
                    converted.Add(refs);
                }
                lr["inbound_nodes"] = converted;
            }
        foreach (var key in new[] { "input_layers", "output_layers" })
            if (config[key] is JsonArray a && a.Count == 3 && a[0] is JsonValue first && first.TryGetValue<string>(out _))
                config[key] = new JsonArray(a.DeepClone());
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static void CollectTensors(JsonNode? node, JsonArray refs, string where, int depth)
    {
        if (depth > 32) throw new InvalidDataException($"{where}: an inbound node is nested too deeply.");
        switch (node)
        {
            case JsonArray a:
                foreach (var item in a) CollectTensors(item, refs, where, depth + 1);
                break;
            case JsonObject o when o["class_name"] is JsonValue cn && cn.TryGetValue<string>(out var c) && c == "__keras_tensor__":
                if (o["config"]?["keras_history"] is not JsonArray h || h.Count != 3)
                    throw new InvalidDataException($"{where}: a __keras_tensor__ record needs a 'keras_history' of [layer_name, node_index, tensor_index].");
                refs.Add(h.DeepClone());
                break;
            case JsonObject o:
                foreach (var kv in o) CollectTensors(kv.Value, refs, where, depth + 1);
                break;
        }
    }
}
