using System.Reflection;

namespace Sharpkeras.Saving;

/// <summary>
/// The registry of custom serializable classes (Keras's <c>keras.saving</c> registration functions).
/// Built-in Sharpkeras classes need no registration; custom layers, subclassed models, losses, metrics,
/// optimizers, schedules, initializers, regularizers and constraints register with
/// <see cref="Register{T}(string?, string)"/> or <see cref="RegisterSerializableAttribute"/>.
/// </summary>
public static class Serialization
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> ByType = new();
    private static readonly HashSet<Assembly> Scanned = new();

    /// <summary>Registers <typeparamref name="T"/> as <c>"package&gt;name"</c> (name defaults to the class name).</summary>
    /// <param name="name">The name inside the package (default: the class name).</param>
    /// <param name="package">The package (Keras's default <c>"Custom"</c>).</param>
    /// <returns>The registered name.</returns>
    public static string Register<T>(string? name = null, string package = "Custom") => Register(typeof(T), name, package);

    /// <summary>Registers <paramref name="type"/> as <c>"package&gt;name"</c> (name defaults to the class name).</summary>
    /// <param name="type">The class to register; loading instantiates only registered classes.</param>
    /// <param name="name">The name inside the package (default: the class name).</param>
    /// <param name="package">The package (Keras's default <c>"Custom"</c>).</param>
    /// <returns>The registered name.</returns>
    public static string Register(Type type, string? name = null, string package = "Custom")
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(package);
        if (!TypeCatalog.IsSerializableKind(type))
            throw new ArgumentException(
                $"Type '{type.FullName}' cannot be registered: it must be a non-abstract subclass of one of {string.Join(", ", TypeCatalog.Kinds.Select(k => k.Name))}.",
                nameof(type));
        name ??= type.Name;
        if (name.Length == 0 || name.Contains('>')) throw new ArgumentException($"Invalid registered name '{name}'.", nameof(name));
        if (package.Length == 0 || package.Contains('>')) throw new ArgumentException($"Invalid package '{package}'.", nameof(package));
        string full = $"{package}>{name}";
        lock (Gate)
        {
            if (ByName.TryGetValue(full, out var existing) && existing != type)
                throw new ArgumentException($"The name '{full}' is already registered for '{existing.FullName}'.", nameof(name));
            if (ByType.TryGetValue(type, out var old) && old != full) ByName.Remove(old);
            ByName[full] = type;
            ByType[type] = full;
        }
        return full;
    }

    /// <summary>
    /// The name a saved file records for <paramref name="type"/>: its registered name ("Custom&gt;MyLayer"),
    /// or null when the class is not registered (built-in classes are recorded by class name).
    /// </summary>
    /// <param name="type">A layer, loss, metric or other serializable class.</param>
    public static string? GetRegisteredName(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (Gate)
        {
            if (ByType.TryGetValue(type, out var n)) return n;
        }
        var attr = type.GetCustomAttribute<RegisterSerializableAttribute>(inherit: false);
        return attr is null ? null : Register(type, attr.Name, attr.Package);
    }

    /// <summary>The class registered under <paramref name="registeredName"/> ("Custom&gt;MyLayer"), or null.</summary>
    /// <param name="registeredName">The registered name as saved files record it (<c>"package&gt;name"</c>).</param>
    public static Type? GetRegisteredType(string registeredName)
    {
        ArgumentNullException.ThrowIfNull(registeredName);
        ScanAttributes();
        lock (Gate) return ByName.TryGetValue(registeredName, out var t) ? t : null;
    }

    /// <summary>
    /// Makes a new layer of <paramref name="type"/> from a config dictionary (Keras's <c>Layer.from_config</c>), through
    /// the same constructor matching as the model loader; the classes of <paramref name="customObjects"/> may appear
    /// in nested configs. Used to copy a layer (e.g. <c>Bidirectional</c>'s backward layer).
    /// </summary>
    /// <param name="type">The layer's class.</param>
    /// <param name="config">Its config, as <c>GetConfig</c> returns it.</param>
    /// <param name="customObjects">Classes by name that nested configs may name, besides the registered ones.</param>
    /// <exception cref="InvalidDataException">The config does not match a public constructor of the class.</exception>
    public static Layer LayerFromConfig(Type type, Dictionary<string, object?> config, IReadOnlyDictionary<string, Type>? customObjects = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(config);
        if (!typeof(Layer).IsAssignableFrom(type)) throw new ArgumentException($"{type.Name} is not a Layer.", nameof(type));
        var ms = new MemoryStream();
        string where = $"config of a {type.Name}";
        using (var w = new System.Text.Json.Utf8JsonWriter(ms)) ConfigWriter.WriteValue(w, config, where);
        using var doc = System.Text.Json.JsonDocument.Parse(ms.ToArray());
        var custom = new Dictionary<string, Type>(customObjects ?? new Dictionary<string, Type>(), StringComparer.Ordinal);
        return (Layer)new ConfigReader(custom).Construct(type, doc.RootElement, where);
    }

    /// <summary>Every registered class whose class name (the part after '&gt;') or type name is <paramref name="className"/>.</summary>
    internal static List<Type> FindByClassName(string className)
    {
        ScanAttributes();
        lock (Gate)
            return ByName.Where(kv => kv.Value.Name == className || kv.Key[(kv.Key.IndexOf('>') + 1)..] == className)
                .Select(kv => kv.Value).Distinct().ToList();
    }

    /// <summary>Registers the [RegisterSerializable] classes of every loaded assembly that references Sharpkeras.Core.</summary>
    private static void ScanAttributes()
    {
        var core = typeof(Layer).Assembly;
        foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
        {
            lock (Gate) { if (!Scanned.Add(asm)) continue; }
            if (asm.IsDynamic) continue;
            if (asm != core && !asm.GetReferencedAssemblies().Any(a => a.Name == core.GetName().Name)) continue;
            Type[] types;
            try { types = asm.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; }
            foreach (var t in types)
            {
                var attr = t.GetCustomAttribute<RegisterSerializableAttribute>(inherit: false);
                if (attr != null && TypeCatalog.IsSerializableKind(t)) Register(t, attr.Name, attr.Package);
            }
        }
    }
}
