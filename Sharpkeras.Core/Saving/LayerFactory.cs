using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpkeras.Saving;

/// <summary>Marks a custom layer or model class so <c>Model.Load</c> can rebuild it by name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RegisterSerializableAttribute(string? name = null) : Attribute
{
    /// <summary>The name written in files (default: the class name).</summary>
    public string? Name { get; } = name;
}

/// <summary>
/// Rebuilds layers from their <c>GetConfig()</c> records. Built-in classes are found by class name in the loaded
/// Sharpkeras assemblies; custom classes register with <see cref="RegisterSerializableAttribute"/> or
/// <see cref="Register{T}"/>. Constructor arguments are matched by name: config keys are the snake_case of the
/// parameter names. Nothing in a file can name an arbitrary type: only Layer subclasses found this way.
/// </summary>
public static class Serialization
{
    private static readonly Dictionary<string, Type> Registered = new();
    private static readonly object Gate = new();

    /// <summary>Registers a custom layer or model class under <paramref name="name"/> (default its class name).</summary>
    public static void Register<T>(string? name = null) where T : Layer
    {
        lock (Gate) Registered[name ?? typeof(T).Name] = typeof(T);
    }

    /// <summary>The class name written for a layer.</summary>
    public static string ClassName(Layer layer)
    {
        var t = layer.GetType();
        var attr = t.GetCustomAttribute<RegisterSerializableAttribute>();
        if (attr?.Name != null) return attr.Name;
        if (layer is Model m && m.IsFunctional && t == typeof(Model)) return "Functional";
        return t.Name;
    }

    /// <summary>Finds the Layer subclass for a class name, or throws InvalidDataException naming it.</summary>
    public static Type Resolve(string className)
    {
        lock (Gate)
            if (Registered.TryGetValue(className, out var r)) return r;
        foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
        {
            bool ours = asm.GetName().Name?.StartsWith("Sharpkeras", StringComparison.Ordinal) == true;
            Type[] types;
            try { types = asm.GetTypes(); } catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; }
            foreach (var t in types)
            {
                if (!typeof(Layer).IsAssignableFrom(t) || t.IsAbstract) continue;
                var attr = t.GetCustomAttribute<RegisterSerializableAttribute>();
                if (attr != null && (attr.Name ?? t.Name) == className) return t;
                if (ours && t.IsPublic && t.Name == className) return t;
            }
        }
        throw new InvalidDataException($"Unknown layer class '{className}': register it with [RegisterSerializable] or Serialization.Register<T>() before loading.");
    }

    /// <summary>Builds a layer of <paramref name="type"/> from its config by matching constructor parameters.</summary>
    public static Layer Create(Type type, JsonObject config)
    {
        var keys = config.Select(kv => kv.Key).ToHashSet();
        Exception? last = null;
        foreach (var ctor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Count(p => keys.Contains(Snake(p.Name!)))))
        {
            var ps = ctor.GetParameters();
            var args = new object?[ps.Length];
            bool ok = true;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                var key = Snake(ps[i].Name!);
                if (config.TryGetPropertyValue(key, out var node))
                {
                    try { args[i] = Convert(node, ps[i].ParameterType); }
                    catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or InvalidCastException or OverflowException)
                    {
                        last = new InvalidDataException($"Layer config of {type.Name}: '{key}' cannot be read as {ps[i].ParameterType.Name} ({e.Message}).", e);
                        ok = false;
                    }
                }
                else if (ps[i].HasDefaultValue) args[i] = ps[i].DefaultValue;
                else ok = false;
            }
            if (!ok) continue;
            try
            {
                var layer = (Layer)ctor.Invoke(args);
                if (config.TryGetPropertyValue("trainable", out var tr) && tr is JsonValue tv && tv.TryGetValue<bool>(out var trainable))
                    layer.Trainable = trainable;
                return layer;
            }
            catch (TargetInvocationException e)
            {
                last = e.InnerException;
            }
        }
        throw new InvalidDataException($"Cannot rebuild layer class {type.Name} from its config ({last?.Message ?? "no constructor matches the config keys " + string.Join(", ", keys)}).", last);
    }

    /// <summary>camelCase → snake_case ("kernelSize" → "kernel_size").</summary>
    public static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static object? Convert(JsonNode? node, Type type)
    {
        if (node is null) return null;
        var u = Nullable.GetUnderlyingType(type) ?? type;
        if (u == typeof(string)) return node.GetValue<string>();
        if (u == typeof(int)) return node.GetValue<int>();
        if (u == typeof(long)) return node.GetValue<long>();
        if (u == typeof(double)) return node.GetValue<double>();
        if (u == typeof(float)) return node.GetValue<float>();
        if (u == typeof(bool)) return node.GetValue<bool>();
        if (u == typeof(int[])) return node.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        if (u == typeof(long[])) return node.AsArray().Select(n => n!.GetValue<long>()).ToArray();
        if (u == typeof(double[])) return node.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        if (u == typeof(int?[])) return node.AsArray().Select(n => n is null ? (int?)null : n.GetValue<int>()).ToArray();
        if (u == typeof(string[])) return node.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        if (u.IsEnum) return Enum.Parse(u, node.GetValue<string>(), ignoreCase: true);
        if (u == typeof(object))
        {
            if (node is JsonValue v)
            {
                if (v.TryGetValue<string>(out var s)) return s;
                if (v.TryGetValue<double>(out var d)) return d;
                if (v.TryGetValue<bool>(out var b)) return b;
            }
            return null; // objects that are not aliases (custom initializers) fall back to the default
        }
        if (u == typeof(TorchSharp.torch.ScalarType)) return DTypeFromName(node.GetValue<string>());
        throw new InvalidCastException($"unsupported parameter type {type.Name}");
    }

    internal static TorchSharp.torch.ScalarType DTypeFromName(string name) => name switch
    {
        "float32" => TorchSharp.torch.ScalarType.Float32, "float64" => TorchSharp.torch.ScalarType.Float64,
        "float16" => TorchSharp.torch.ScalarType.Float16, "bfloat16" => TorchSharp.torch.ScalarType.BFloat16,
        "int64" => TorchSharp.torch.ScalarType.Int64, "int32" => TorchSharp.torch.ScalarType.Int32,
        "uint8" => TorchSharp.torch.ScalarType.Byte, "bool" => TorchSharp.torch.ScalarType.Bool,
        _ => throw new InvalidDataException($"Unknown dtype '{name}'."),
    };

    /// <summary>A config dictionary as JSON (arrays, numbers, strings, nested dictionaries).</summary>
    public static JsonObject ToJson(Dictionary<string, object?> config)
    {
        var o = new JsonObject();
        foreach (var (k, v) in config) o[k] = ToNode(v);
        return o;
    }

    private static JsonNode? ToNode(object? v) => v switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        Enum e => JsonValue.Create(e.ToString()),
        Dictionary<string, object?> d => ToJson(d),
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToNode).ToArray()),
        _ => JsonValue.Create(v.ToString()),
    };
}
