using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace Sharpkeras.Saving;

/// <summary>
/// Rebuilds objects from Keras-style config records by reflection, without ever running code named by
/// the file: the class is resolved only among serializable Sharpkeras families (<see cref="TypeCatalog"/>),
/// and the public constructor whose parameter names match the config keys is called. A key matches a
/// parameter when both are equal ignoring case and underscores ("kernel_size" → kernelSize, "beta_1" →
/// beta1). JSON values are converted to the parameter types (numbers, strings, booleans, enums, dtypes,
/// arrays, tuples, lists, dictionaries, nested records). Keys no constructor takes are set through a
/// public settable property of the same name, or else must equal what the rebuilt object reports in its
/// own config — so a config that cannot be honoured fails loudly instead of loading a different object.
/// </summary>
internal sealed class ConfigReader
{
    private readonly IReadOnlyDictionary<string, Type>? _customObjects;

    public ConfigReader(IReadOnlyDictionary<string, Type>? customObjects) => _customObjects = customObjects;

    public static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    // ------------------------------------------------------------------------------------ records

    /// <summary>Reads the class of a record: (class_name, registered_name, config).</summary>
    public static (string className, string? registeredName, JsonElement config) RecordParts(JsonElement record, string where)
    {
        if (record.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where}: expected an object record {{\"class_name\", \"config\"}}, got {record.ValueKind}.");
        if (!record.TryGetProperty("class_name", out var cn) || cn.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(cn.GetString()))
            throw new InvalidDataException($"{where}: the record has no 'class_name' string.");
        string? registered = null;
        if (record.TryGetProperty("registered_name", out var rn))
        {
            if (rn.ValueKind == JsonValueKind.String) registered = rn.GetString();
            else if (rn.ValueKind != JsonValueKind.Null) throw new InvalidDataException($"{where}: 'registered_name' must be a string or null.");
        }
        JsonElement config;
        if (!record.TryGetProperty("config", out config)) config = EmptyObject;
        else if (config.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where}: the 'config' of class '{cn.GetString()}' must be an object, got {config.ValueKind}.");
        return (cn.GetString()!, registered, config);
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Rebuilds a record whose class must derive from <paramref name="kind"/> (typeof(object): any serializable family).</summary>
    public object ReadRecord(JsonElement record, Type kind, string where)
    {
        var (className, registered, config) = RecordParts(record, where);
        if (kind == typeof(Layer) || (kind == typeof(object) && ModelConfig.IsModelClassName(className, registered)))
            return ModelConfig.ReadLayer(this, record, where);
        var type = TypeCatalog.Resolve(className, registered, kind, _customObjects, where);
        if (typeof(Layer).IsAssignableFrom(type)) return ModelConfig.ReadLayer(this, record, where);
        return Construct(type, config, $"{where} ({className})");
    }

    /// <summary>Resolves a record's class among the <paramref name="kind"/> family.</summary>
    public Type ResolveType(string className, string? registeredName, Type kind, string where) =>
        TypeCatalog.Resolve(className, registeredName, kind, _customObjects, where);

    // ------------------------------------------------------------------------------------ construction

    /// <summary>Creates <paramref name="type"/> from a config object through its best-matching public constructor.</summary>
    public object Construct(Type type, JsonElement config, string where, IReadOnlySet<string>? ignoreKeys = null)
    {
        var keys = new Dictionary<string, (string Key, JsonElement Value)>(StringComparer.Ordinal);
        foreach (var p in config.EnumerateObject())
        {
            if (ignoreKeys != null && ignoreKeys.Contains(p.Name)) continue;
            if (!keys.TryAdd(Normalize(p.Name), (p.Name, p.Value)))
                throw new InvalidDataException($"{where}: the config key '{p.Name}' appears twice (or twice up to case and underscores).");
        }
        ConstructorInfo? best = null;
        object?[]? bestArgs = null;
        HashSet<string>? bestUsed = null;
        string? failure = null;
        foreach (var ctor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
                     .OrderByDescending(c => c.GetParameters().Length))
        {
            var ps = ctor.GetParameters();
            var args = new object?[ps.Length];
            var used = new HashSet<string>(StringComparer.Ordinal);
            bool ok = true;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                var p = ps[i];
                var norm = Normalize(p.Name ?? "");
                if (keys.TryGetValue(norm, out var kv))
                {
                    try
                    {
                        args[i] = Convert(kv.Value, p.ParameterType, kv.Key, where);
                        used.Add(norm);
                    }
                    catch (InvalidDataException e)
                    {
                        ok = false;
                        failure = e.Message;
                    }
                }
                else if (p.HasDefaultValue) args[i] = p.DefaultValue is DBNull ? Type.Missing : p.DefaultValue;
                else if (p.IsOptional) args[i] = Type.Missing;
                else if (p.GetCustomAttribute<ParamArrayAttribute>() != null) args[i] = Array.CreateInstance(p.ParameterType.GetElementType()!, 0);
                else
                {
                    ok = false;
                    failure ??= $"{where}: the config has no value for the required constructor parameter '{p.Name}' of {type.Name}.";
                }
            }
            if (!ok) continue;
            if (best == null || used.Count > bestUsed!.Count)
            {
                best = ctor;
                bestArgs = args;
                bestUsed = used;
            }
        }
        if (best == null)
            throw new InvalidDataException(failure ?? $"{where}: {type.Name} has no public constructor, so it cannot be rebuilt from its config.");
        object obj;
        try { obj = best.Invoke(bestArgs); }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            throw new InvalidDataException($"{where}: rebuilding {type.Name} from its config failed: {e.InnerException.Message}", e.InnerException);
        }
        ApplyLeftovers(obj, type, keys.Where(kv => !bestUsed!.Contains(kv.Key)).Select(kv => kv.Value).ToList(), where);
        return obj;
    }

    private void ApplyLeftovers(object obj, Type type, List<(string Key, JsonElement Value)> leftovers, string where)
    {
        var toCompare = new List<(string Key, JsonElement Value)>();
        foreach (var (key, value) in leftovers)
        {
            if (key == "name") continue; // a class without a name parameter names itself; only cosmetic
            var prop = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => Normalize(p.Name) == Normalize(key) && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);
            if (prop != null)
            {
                object? v = Convert(value, prop.PropertyType, key, where);
                try { prop.SetValue(obj, v); }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    throw new InvalidDataException($"{where}: setting '{key}' on {type.Name} failed: {e.InnerException.Message}", e.InnerException);
                }
                continue;
            }
            toCompare.Add((key, value));
        }
        if (toCompare.Count == 0) return;
        var getConfig = type.GetMethod("GetConfig", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        JsonDocument? rebuilt = null;
        if (getConfig != null && typeof(IDictionary).IsAssignableFrom(getConfig.ReturnType))
        {
            var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) ConfigWriter.WriteValue(w, getConfig.Invoke(obj, null), where);
            rebuilt = JsonDocument.Parse(ms.ToArray());
        }
        using (rebuilt)
        {
            foreach (var (key, value) in toCompare)
            {
                JsonElement? mine = null;
                if (rebuilt != null)
                    foreach (var p in rebuilt.RootElement.EnumerateObject())
                        if (Normalize(p.Name) == Normalize(key)) { mine = p.Value; break; }
                if (mine is null)
                    throw new InvalidDataException($"{where}: {type.Name} has no constructor parameter or settable property for the config key '{key}'.");
                if (!JsonEquals(mine.Value, value))
                    throw new InvalidDataException(
                        $"{where}: {type.Name} takes no constructor parameter '{key}', and the rebuilt object has {Short(mine.Value)} where the file has {Short(value)}.");
            }
        }
    }

    private static string Short(JsonElement e)
    {
        var s = e.GetRawText();
        return s.Length > 80 ? s[..77] + "..." : s;
    }

    /// <summary>Structural equality of two JSON values (numbers compared as values).</summary>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number) return a.GetDouble().Equals(b.GetDouble());
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.String: return a.GetString() == b.GetString();
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return false;
                using (var ea = a.EnumerateArray().GetEnumerator())
                using (var eb = b.EnumerateArray().GetEnumerator())
                    while (ea.MoveNext() && eb.MoveNext())
                        if (!JsonEquals(ea.Current, eb.Current)) return false;
                return true;
            case JsonValueKind.Object:
                var pa = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var pb = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                return pa.Count == pb.Count && pa.All(kv => pb.TryGetValue(kv.Key, out var o) && JsonEquals(kv.Value, o));
            default: return true;
        }
    }

    // ------------------------------------------------------------------------------------ conversion

    /// <summary>Converts a JSON value to <paramref name="target"/>; throws InvalidDataException naming <paramref name="key"/>.</summary>
    public object? Convert(JsonElement v, Type target, string key, string where)
    {
        var under = Nullable.GetUnderlyingType(target);
        if (v.ValueKind == JsonValueKind.Null)
        {
            if (!target.IsValueType || under != null) return null;
            throw Bad(v, target, key, where);
        }
        if (under != null) target = under;
        if (target == typeof(JsonElement)) return v.Clone();
        if (target == typeof(object)) return ConvertUntyped(v, key, where);
        if (target == typeof(string)) return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad(v, target, key, where);
        if (target == typeof(bool))
            return v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad(v, target, key, where) };
        if (target == typeof(ScalarType))
            return v.ValueKind == JsonValueKind.String && ParseDType(v.GetString()!) is ScalarType st ? st : throw Bad(v, target, key, where);
        if (target.IsEnum) return ConvertEnum(v, target, key, where);
        if (IsNumeric(target)) return ConvertNumber(v, target, key, where);
        if (target.IsArray)
        {
            var et = target.GetElementType()!;
            // Keras accepts an int where it takes a tuple of ints (axis=0 as well as axis=[0]).
            if (v.ValueKind == JsonValueKind.Number && target.GetArrayRank() == 1 && IsNumeric(et))
            {
                var one = Array.CreateInstance(et, 1);
                one.SetValue(Convert(v, et, key, where), 0);
                return one;
            }
            if (v.ValueKind != JsonValueKind.Array || target.GetArrayRank() != 1) throw Bad(v, target, key, where);
            var arr = Array.CreateInstance(et, v.GetArrayLength());
            int i = 0;
            foreach (var item in v.EnumerateArray()) arr.SetValue(Convert(item, et, $"{key}[{i}]", where), i++);
            return arr;
        }
        if (target.IsGenericType)
        {
            var def = target.GetGenericTypeDefinition();
            var args = target.GetGenericArguments();
            if (args.Length == 1 && (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(ICollection<>) || def == typeof(IEnumerable<>)
                                     || def == typeof(IReadOnlyList<>) || def == typeof(IReadOnlyCollection<>)))
            {
                if (v.ValueKind != JsonValueKind.Array) throw Bad(v, target, key, where);
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(args[0]))!;
                int i = 0;
                foreach (var item in v.EnumerateArray()) list.Add(Convert(item, args[0], $"{key}[{i++}]", where));
                return list;
            }
            if (args.Length == 2 && args[0] == typeof(string) && (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>)))
            {
                if (v.ValueKind != JsonValueKind.Object) throw Bad(v, target, key, where);
                var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                foreach (var p in v.EnumerateObject()) dict[p.Name] = Convert(p.Value, args[1], $"{key}.{p.Name}", where);
                return dict;
            }
            if (typeof(ITuple).IsAssignableFrom(target) && target.IsValueType && target.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            {
                if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != args.Length || args.Length > 7) throw Bad(v, target, key, where);
                var items = v.EnumerateArray().Select((e, i) => Convert(e, args[i], $"{key}[{i}]", where)).ToArray();
                return Activator.CreateInstance(target, items);
            }
        }
        var kind = TypeCatalog.Kinds.FirstOrDefault(k => k.IsAssignableFrom(target));
        if (kind != null)
        {
            if (v.ValueKind == JsonValueKind.Object)
            {
                var obj = ReadRecord(v, target, $"{where}.{key}");
                return target.IsInstanceOfType(obj) ? obj : throw Bad(v, target, key, where);
            }
            if (v.ValueKind == JsonValueKind.String && FromClassNameString(v.GetString()!, target, where) is { } byName) return byName;
        }
        // Types with an implicit conversion from a JSON-friendly type (e.g. the layers' IntTuple from int or int[]).
        foreach (var op in target.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (op.Name != "op_Implicit" || op.ReturnType != target) continue;
            var from = op.GetParameters()[0].ParameterType;
            bool fits = v.ValueKind switch
            {
                JsonValueKind.Array => from.IsArray,
                JsonValueKind.Number => IsNumeric(from),
                JsonValueKind.String => from == typeof(string),
                JsonValueKind.True or JsonValueKind.False => from == typeof(bool),
                _ => false,
            };
            if (!fits) continue;
            return op.Invoke(null, [Convert(v, from, key, where)]);
        }
        throw Bad(v, target, key, where);
    }

    private static InvalidDataException Bad(JsonElement v, Type target, string key, string where) =>
        new($"{where}: the config value of '{key}' ({Short(v)}) cannot be converted to {FriendlyName(target)}.");

    private static string FriendlyName(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is Type u) return FriendlyName(u) + "?";
        if (t.IsArray) return FriendlyName(t.GetElementType()!) + "[]";
        if (!t.IsGenericType) return t.Name;
        return $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(FriendlyName))}>";
    }

    /// <summary>A class-name string ("GlorotUniform") for an initializer/regularizer/constraint-like value: rebuilt with its defaults.</summary>
    private object? FromClassNameString(string s, Type kind, string where)
    {
        if (s.Length == 0 || !char.IsUpper(s[0])) return null;
        var types = TypeCatalog.FindBuiltIn(s, kind);
        if (types.Count == 0 || typeof(Layer).IsAssignableFrom(types[0])) return null;
        return Construct(types[0], EmptyObject, $"{where} ({s})");
    }

    private object? ConvertUntyped(JsonElement v, string key, string where)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
            {
                var s = v.GetString()!;
                var norm = Normalize(key);
                Type? kind = norm.Contains("initializer") ? typeof(Initializers.Initializer)
                    : norm.Contains("regularizer") ? typeof(Regularizers.Regularizer)
                    : norm.Contains("constraint") ? typeof(Constraints.Constraint) : null;
                if (kind != null && FromClassNameString(s, kind, where) is { } obj) return obj;
                return s;
            }
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number:
            {
                var raw = v.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) >= 0) return v.GetDouble();
                if (v.TryGetInt32(out int i)) return i;
                if (v.TryGetInt64(out long l)) return l;
                return v.GetDouble();
            }
            case JsonValueKind.Array: return ConvertUntypedArray(v, key, where);
            case JsonValueKind.Object:
                if (v.TryGetProperty("class_name", out _)) return ReadRecord(v, typeof(object), $"{where}.{key}");
                var d = new Dictionary<string, object?>();
                foreach (var p in v.EnumerateObject()) d[p.Name] = p.Value.ValueKind == JsonValueKind.Null ? null : ConvertUntyped(p.Value, p.Name, where);
                return d;
            default: return null;
        }
    }

    private object ConvertUntypedArray(JsonElement v, string key, string where)
    {
        var items = v.EnumerateArray().ToList();
        bool allIntOrNull = items.All(e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.Number
                                            && e.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0 && e.TryGetInt32(out _)));
        bool anyNull = items.Any(e => e.ValueKind == JsonValueKind.Null);
        if (items.Count == 0 || (allIntOrNull && !anyNull)) return items.Select(e => e.GetInt32()).ToArray();
        if (allIntOrNull) return items.Select(e => e.ValueKind == JsonValueKind.Null ? (int?)null : e.GetInt32()).ToArray();
        if (items.All(e => e.ValueKind == JsonValueKind.Number)) return items.Select(e => e.GetDouble()).ToArray();
        if (items.All(e => e.ValueKind == JsonValueKind.String)) return items.Select(e => e.GetString()!).ToArray();
        if (items.All(e => e.ValueKind is JsonValueKind.True or JsonValueKind.False)) return items.Select(e => e.GetBoolean()).ToArray();
        return items.Select((e, i) => e.ValueKind == JsonValueKind.Null ? null : ConvertUntyped(e, $"{key}[{i}]", where)).ToArray();
    }

    private static bool IsNumeric(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte)
        || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(float) || t == typeof(double) || t == typeof(decimal);

    private static object ConvertNumber(JsonElement v, Type target, string key, string where)
    {
        if (target == typeof(double) || target == typeof(float))
        {
            double d;
            if (v.ValueKind == JsonValueKind.Number) d = v.GetDouble();
            else if (v.ValueKind == JsonValueKind.String && v.GetString() is "NaN" or "Infinity" or "-Infinity")
                d = double.Parse(v.GetString()!, CultureInfo.InvariantCulture);
            else throw Bad(v, target, key, where);
            return target == typeof(float) ? (float)d : d;
        }
        if (v.ValueKind != JsonValueKind.Number) throw Bad(v, target, key, where);
        if (target == typeof(decimal)) return v.TryGetDecimal(out var m) ? m : throw Bad(v, target, key, where);
        // Integers: accept "3" and "3.0" but not "3.5" or out-of-range values.
        decimal value;
        if (!v.TryGetDecimal(out value) || decimal.Truncate(value) != value) throw Bad(v, target, key, where);
        try { return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture); }
        catch (OverflowException) { throw Bad(v, target, key, where); }
    }

    private static object ConvertEnum(JsonElement v, Type target, string key, string where)
    {
        if (v.ValueKind == JsonValueKind.String)
        {
            var s = Normalize(v.GetString()!);
            foreach (var n in Enum.GetNames(target))
                if (Normalize(n) == s) return Enum.Parse(target, n);
        }
        else if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) && Enum.IsDefined(target, Enum.ToObject(target, l)))
            return Enum.ToObject(target, l);
        throw Bad(v, target, key, where);
    }

    /// <summary>A dtype name as Keras writes it ("float32", "int64", …) or a ScalarType name.</summary>
    public static ScalarType? ParseDType(string s) => s switch
    {
        "float32" => ScalarType.Float32, "float64" => ScalarType.Float64, "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16, "int64" => ScalarType.Int64, "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16, "int8" => ScalarType.Int8, "uint8" => ScalarType.Byte, "bool" => ScalarType.Bool,
        _ => Enum.TryParse<ScalarType>(s, ignoreCase: true, out var t) && Enum.IsDefined(t) ? t : null,
    };
}
