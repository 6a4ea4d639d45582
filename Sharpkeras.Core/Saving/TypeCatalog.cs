using System.Reflection;

namespace Sharpkeras.Saving;

/// <summary>
/// Resolves the class names found in a saved file to .NET types, only among the families of objects
/// Sharpkeras knows how to rebuild: built-in classes of the Sharpkeras libraries (found by scanning them,
/// so new layers are picked up without a list), registered custom classes, and the caller's
/// <c>customObjects</c>. Nothing else is ever instantiated: a file cannot name an arbitrary .NET type.
/// </summary>
internal static class TypeCatalog
{
    /// <summary>The base classes whose subclasses can be saved and rebuilt.</summary>
    public static readonly Type[] Kinds =
    [
        typeof(Layer), typeof(Losses.Loss), typeof(Metrics.Metric), typeof(Optimizers.Optimizer),
        typeof(Optimizers.Schedules.LearningRateSchedule), typeof(Initializers.Initializer),
        typeof(Regularizers.Regularizer), typeof(Constraints.Constraint),
    ];

    private static readonly object Gate = new();
    private static Dictionary<string, List<Type>>? _builtIns;
    private static int _assemblyCount;

    public static bool IsSerializableKind(Type t) =>
        t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters && Kinds.Any(k => k.IsAssignableFrom(t));

    /// <summary>Whether <paramref name="t"/> is a built-in class of a Sharpkeras library.</summary>
    public static bool IsBuiltIn(Type t) => IsLibraryAssembly(t.Assembly) && t.IsPublic;

    /// <summary>Keras's class name for <paramref name="t"/>: a built-in alias class (MaxPool2D) gives its canonical class (MaxPooling2D).</summary>
    public static string CanonicalName(Type t) =>
        Registry.LayerAliases.Registry.Contains(t.Name) && IsBuiltIn(t) ? Registry.LayerAliases.Canonical(t.Name) : t.Name;

    private static bool IsLibraryAssembly(Assembly a)
    {
        var name = a.GetName().Name ?? "";
        if (a == typeof(Layer).Assembly) return true;
        return name.StartsWith("Sharpkeras.", StringComparison.Ordinal) && !name.Contains("Test", StringComparison.OrdinalIgnoreCase)
               && a.GetReferencedAssemblies().Any(r => r.Name == typeof(Layer).Assembly.GetName().Name);
    }

    /// <summary>The built-in classes named <paramref name="className"/> that derive from <paramref name="kind"/>.</summary>
    public static List<Type> FindBuiltIn(string className, Type kind)
    {
        var map = BuiltIns();
        return map.TryGetValue(className, out var list) ? list.Where(kind.IsAssignableFrom).ToList() : [];
    }

    private static Dictionary<string, List<Type>> BuiltIns()
    {
        // Sharpkeras.Layers may not be loaded yet in an application that has not touched a layer type.
        try { Assembly.Load(new AssemblyName("Sharpkeras.Layers")); } catch (IOException) { } catch (BadImageFormatException) { }
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        lock (Gate)
        {
            if (_builtIns != null && _assemblyCount == assemblies.Length) return _builtIns;
            var map = new Dictionary<string, List<Type>>(StringComparer.Ordinal);
            foreach (var asm in assemblies)
            {
                if (asm.IsDynamic || !IsLibraryAssembly(asm)) continue;
                Type[] types;
                try { types = asm.GetExportedTypes(); }
                catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; }
                foreach (var t in types)
                {
                    if (!IsSerializableKind(t)) continue;
                    if (!map.TryGetValue(t.Name, out var list)) map[t.Name] = list = new List<Type>();
                    list.Add(t);
                }
            }
            foreach (var list in map.Values) list.Sort((a, b) => string.CompareOrdinal(a.FullName, b.FullName));
            _builtIns = map;
            _assemblyCount = assemblies.Length;
            return map;
        }
    }

    /// <summary>
    /// Resolves a record's class to a type deriving from <paramref name="kind"/>: the caller's custom objects
    /// first (by registered name, then class name), then registered classes, then built-in classes.
    /// Throws <see cref="InvalidDataException"/> naming the class when none is found.
    /// </summary>
    public static Type Resolve(string className, string? registeredName, Type kind, IReadOnlyDictionary<string, Type>? customObjects, string where)
    {
        Type? Check(Type? t) => t != null && kind.IsAssignableFrom(t) && IsSerializableKind(t) ? t : null;
        if (customObjects != null)
        {
            if (registeredName != null && customObjects.TryGetValue(registeredName, out var c1) && Check(c1) is Type r1) return r1;
            if (customObjects.TryGetValue(className, out var c2) && Check(c2) is Type r2) return r2;
        }
        if (registeredName != null && Check(Serialization.GetRegisteredType(registeredName)) is Type r3) return r3;
        var builtIn = FindBuiltIn(className, kind);
        if (builtIn.Count == 0) builtIn = FindBuiltIn(Registry.LayerAliases.Canonical(className), kind); // Keras's aliases (Convolution2D)
        if (builtIn.Count > 0) return builtIn[0];
        var registered = Serialization.FindByClassName(className).Where(t => Check(t) != null).ToList();
        if (registered.Count == 1) return registered[0];
        string shown = registeredName != null && registeredName != className ? $"'{className}' (registered as '{registeredName}')" : $"'{className}'";
        throw new InvalidDataException(
            $"{where}: unknown {kind.Name} class {shown}. It is neither a built-in Sharpkeras class nor registered: " +
            "mark the class with [RegisterSerializable], call Serialization.Register<T>(), or pass it in customObjects.");
    }
}
