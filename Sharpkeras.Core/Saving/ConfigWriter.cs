using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Writes configuration values (what <c>GetConfig()</c> returns) as JSON, the way Keras's
/// <c>serialize_keras_object</c> does: numbers, strings, booleans, null, arrays, objects, and nested
/// serializable objects as <c>{"module", "class_name", "config", "registered_name"}</c> records.
/// </summary>
internal static class ConfigWriter
{
    /// <summary>Writes <paramref name="value"/>; <paramref name="where"/> names it in error messages.</summary>
    public static void WriteValue(Utf8JsonWriter w, object? value, string where)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); return;
            case string s: w.WriteStringValue(s); return;
            case bool b: w.WriteBooleanValue(b); return;
            case ScalarType st: w.WriteStringValue(Layer.DTypeName(st)); return;
            case Enum e: w.WriteStringValue(e.ToString()); return;
            case int or long or short or sbyte or byte or ushort or uint:
                w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); return;
            case ulong ul: w.WriteNumberValue(ul); return;
            case float f: WriteDouble(w, f); return;
            case double d: WriteDouble(w, d); return;
            case decimal m: w.WriteNumberValue(m); return;
            case Layer layer: ModelConfig.WriteLayerRecord(w, layer); return;
            case Tensor: throw new InvalidOperationException($"{where}: a tensor cannot be stored in a config; store numbers or arrays.");
            case Delegate: throw new InvalidOperationException($"{where}: a function ({value.GetType().Name}) cannot be saved in a config; Sharpkeras never stores code. Use an alias string or a registered class.");
            case IDictionary dict:
                w.WriteStartObject();
                foreach (DictionaryEntry kv in dict)
                {
                    if (kv.Key is not string key) throw new InvalidOperationException($"{where}: config dictionaries need string keys, got {kv.Key?.GetType().Name}.");
                    w.WritePropertyName(key);
                    WriteValue(w, kv.Value, $"{where}.{key}");
                }
                w.WriteEndObject();
                return;
            case ITuple tuple:
                w.WriteStartArray();
                for (int i = 0; i < tuple.Length; i++) WriteValue(w, tuple[i], $"{where}[{i}]");
                w.WriteEndArray();
                return;
            case IEnumerable list:
                w.WriteStartArray();
                int n = 0;
                foreach (var item in list) WriteValue(w, item, $"{where}[{n++}]");
                w.WriteEndArray();
                return;
        }
        if (TypeCatalog.IsSerializableKind(value.GetType()))
        {
            WriteObjectRecord(w, value, where);
            return;
        }
        throw new InvalidOperationException($"{where}: a value of type {value.GetType().FullName} cannot be stored in a config.");
    }

    /// <summary>Writes a double as JSON; integral values keep a ".0" so they read back as floats; NaN and infinities as strings.</summary>
    public static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsNaN(d)) { w.WriteStringValue("NaN"); return; }
        if (double.IsPositiveInfinity(d)) { w.WriteStringValue("Infinity"); return; }
        if (double.IsNegativeInfinity(d)) { w.WriteStringValue("-Infinity"); return; }
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOfAny(['.', 'E', 'e']) < 0) s += ".0";
        w.WriteRawValue(s);
    }

    /// <summary>Writes a serializable object (loss, optimizer, schedule, initializer, …) as a Keras record.</summary>
    public static void WriteObjectRecord(Utf8JsonWriter w, object value, string where)
    {
        var type = value.GetType();
        var getConfig = type.GetMethod("GetConfig", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (getConfig == null || !typeof(IDictionary).IsAssignableFrom(getConfig.ReturnType))
            throw new InvalidOperationException($"{where}: {type.Name} has no GetConfig() method, so it cannot be saved.");
        var config = (IDictionary?)getConfig.Invoke(value, null) ?? new Dictionary<string, object?>();
        w.WriteStartObject();
        WriteRecordHeader(w, type);
        w.WritePropertyName("config");
        WriteValue(w, config, $"{where} ({type.Name})");
        w.WriteEndObject();
    }

    /// <summary>Writes "module", "class_name" and "registered_name" of a record.</summary>
    public static void WriteRecordHeader(Utf8JsonWriter w, Type type, string? className = null)
    {
        w.WriteString("module", type.Namespace);
        w.WriteString("class_name", className ?? type.Name);
        var registered = Serialization.GetRegisteredName(type);
        if (registered is null) w.WriteNull("registered_name");
        else w.WriteString("registered_name", registered);
    }
}
