using System.Text.RegularExpressions;

namespace Sharpkeras.Saving.KerasFormat;

/// <summary>
/// Keras's names for Sharpkeras classes in a <c>.keras</c> file: the class name Keras uses (Sharpkeras's alias
/// classes such as <c>MaxPool2D</c> are written under Keras's canonical name <c>MaxPooling2D</c>, see
/// <see cref="Registry.LayerAliases"/>), the module
/// Keras writes for built-in objects, and Keras's snake_case rule used to name weight groups.
/// </summary>
internal static partial class KerasNames
{
    /// <summary>The class name Keras writes for <paramref name="type"/> (a built-in alias class: its canonical name; a functional <see cref="Model"/>: Keras's "Functional").</summary>
    public static string ClassName(Type type) => type == typeof(Model) ? ModelConfig.FunctionalClass : TypeCatalog.CanonicalName(type);

    /// <summary>
    /// The module Keras writes for a built-in object of <paramref name="type"/> ("keras.layers", "keras.losses", …);
    /// null for a class that is not a built-in Sharpkeras class (its .NET namespace is kept).
    /// </summary>
    public static string? Module(Type type)
    {
        if (!TypeCatalog.IsBuiltIn(type)) return null;
        if (type == typeof(Sequential)) return "keras";
        if (typeof(Model).IsAssignableFrom(type)) return "keras.src.models.functional";
        if (typeof(Layer).IsAssignableFrom(type)) return "keras.layers";
        if (typeof(Optimizers.Schedules.LearningRateSchedule).IsAssignableFrom(type)) return "keras.optimizers.schedules";
        if (typeof(Optimizers.Optimizer).IsAssignableFrom(type)) return "keras.optimizers";
        if (typeof(Losses.Loss).IsAssignableFrom(type)) return "keras.losses";
        if (typeof(Metrics.Metric).IsAssignableFrom(type)) return "keras.metrics";
        if (typeof(Initializers.Initializer).IsAssignableFrom(type)) return "keras.initializers";
        if (typeof(Regularizers.Regularizer).IsAssignableFrom(type)) return "keras.regularizers";
        if (typeof(Constraints.Constraint).IsAssignableFrom(type)) return "keras.constraints";
        return null;
    }

    /// <summary>Keras's <c>naming.to_snake_case</c>: "Conv2D" → "conv2d", "BatchNormalization" → "batch_normalization", "LSTM" → "lstm".</summary>
    public static string SnakeCase(string name)
    {
        name = NonWord().Replace(name, "");
        name = CapWord().Replace(name, "$1_$2");
        return LowerUpper().Replace(name, "$1_$2").ToLowerInvariant();
    }

    /// <summary>Keras's <c>_get_unique_name</c>: the first use keeps the name, later ones get "_1", "_2", ….</summary>
    public static string Unique(string name, Dictionary<string, int> used)
    {
        if (used.TryGetValue(name, out int n))
        {
            used[name] = n + 1;
            return $"{name}_{n + 1}";
        }
        used[name] = 0;
        return name;
    }

    [GeneratedRegex(@"\W+")] private static partial Regex NonWord();
    [GeneratedRegex("(.)([A-Z][a-z]+)")] private static partial Regex CapWord();
    [GeneratedRegex("([a-z])([A-Z])")] private static partial Regex LowerUpper();
}
