using Sharpkeras.Constraints;
using Sharpkeras.Initializers;
using Sharpkeras.Regularizers;

namespace Sharpkeras;

/// <summary>
/// How one weight of a layer (a kernel, a bias…) is made: its initializer, regularizer and constraint, as
/// the layer's constructor received them (Keras's <c>kernel_initializer</c>, <c>kernel_regularizer</c>,
/// <c>kernel_constraint</c> triple). It resolves the arguments once (naming the argument on bad input),
/// creates the weight (<see cref="Add"/>) and writes all three back into the layer's config
/// (<see cref="WriteConfig"/>), so a saved config never loses a regularizer or a constraint.
/// </summary>
/// <remarks>
/// Config values: the alias string when an alias was given ("glorot_uniform", "l2", "max_norm"), null for
/// none, else Keras's serialized form <c>{"class_name": "L2", "config": {...}}</c>, which Sharpkeras's
/// loader rebuilds. Initializer aliases include Keras's short "uniform" (RandomUniform(-0.05, 0.05)) and
/// "normal" (RandomNormal(0, 0.05)).
/// </remarks>
public sealed class WeightSpec
{
    private readonly object _initializerArgument;
    private readonly object? _regularizerArgument;
    private readonly object? _constraintArgument;

    /// <summary>Resolves the three arguments of one weight.</summary>
    /// <param name="prefix">The weight's config prefix ("kernel", "recurrent", "bias", "depthwise"…): the
    /// arguments are named <c>prefix + "Initializer"</c> etc. in error messages and <c>prefix_initializer</c> etc. in configs.</param>
    /// <param name="initializer">An initializer alias or object; null takes <paramref name="defaultInitializer"/>.</param>
    /// <param name="regularizer">A regularizer alias or object, or null.</param>
    /// <param name="constraint">A constraint alias or object, or null.</param>
    /// <param name="defaultInitializer">The initializer used when <paramref name="initializer"/> is null.</param>
    public WeightSpec(string prefix, object? initializer, object? regularizer, object? constraint, object defaultInitializer)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ArgumentNullException.ThrowIfNull(defaultInitializer);
        Prefix = prefix;
        _initializerArgument = initializer ?? defaultInitializer;
        _regularizerArgument = regularizer;
        _constraintArgument = constraint;
        string camel = CamelPrefix(prefix);
        Initializer = ResolveInitializer(_initializerArgument, camel + "Initializer");
        Regularizer = Resolve(() => Regularizers.Regularizer.Get(regularizer), camel + "Regularizer");
        Constraint = Resolve(() => Constraints.Constraint.Get(constraint), camel + "Constraint");
    }

    /// <summary>The config prefix ("kernel").</summary>
    public string Prefix { get; }

    /// <summary>The resolved initializer.</summary>
    public Initializer Initializer { get; }

    /// <summary>The resolved regularizer, or null.</summary>
    public Regularizer? Regularizer { get; }

    /// <summary>The resolved constraint, or null.</summary>
    public Constraint? Constraint { get; }

    /// <summary>The initializer argument as given (alias or object), for copying the spec into another layer.</summary>
    public object InitializerArgument => _initializerArgument;

    /// <summary>The regularizer argument as given, or null.</summary>
    public object? RegularizerArgument => _regularizerArgument;

    /// <summary>The constraint argument as given, or null.</summary>
    public object? ConstraintArgument => _constraintArgument;

    /// <summary>Creates the weight on <paramref name="layer"/> with this spec (see <see cref="Layer.AddWeight"/>).</summary>
    /// <param name="layer">The owning layer.</param>
    /// <param name="name">The weight's name ("kernel").</param>
    /// <param name="shape">Its shape in Keras's layout.</param>
    /// <param name="kerasToTorchPermutation">Stored layout = Keras layout permuted by this, if any.</param>
    /// <param name="initializer">Overrides the spec's initializer (e.g. LSTM's unit forget bias fills afterwards).</param>
    public KerasVariable Add(Layer layer, string name, long[] shape, int[]? kerasToTorchPermutation = null, object? initializer = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.AddWeight(name, shape, initializer ?? Initializer, Regularizer, constraint: Constraint,
            kerasToTorchPermutation: kerasToTorchPermutation);
    }

    /// <summary>Writes <c>prefix_initializer</c>, <c>prefix_regularizer</c> and <c>prefix_constraint</c> into <paramref name="config"/>.</summary>
    /// <param name="config">A layer's config dictionary.</param>
    public void WriteConfig(Dictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config[Prefix + "_initializer"] = Describe(_initializerArgument);
        config[Prefix + "_regularizer"] = Describe(_regularizerArgument);
        config[Prefix + "_constraint"] = Describe(_constraintArgument);
    }

    /// <summary>
    /// The config value of an initializer, regularizer or constraint argument: the alias when one was given,
    /// null for none, else <c>{"class_name", "config"}</c>.
    /// </summary>
    /// <param name="given">The argument as given.</param>
    public static object? Describe(object? given) => given switch
    {
        null => null,
        string s => s,
        Initializer i => Record(i.GetType().Name, i.GetConfig()),
        Regularizer r => Record(r.GetType().Name, r.GetConfig()),
        Constraint c => Record(c.GetType().Name, c.GetConfig()),
        _ => Record(given.GetType().Name, new Dictionary<string, object?>()),
    };

    private static Dictionary<string, object?> Record(string className, Dictionary<string, object?> config)
        => new() { ["class_name"] = className, ["config"] = config };

    /// <summary>Resolves an initializer argument, with Keras's "uniform" and "normal" short aliases.</summary>
    /// <param name="identifier">An alias or an initializer.</param>
    /// <param name="argument">The argument's name, for error messages.</param>
    public static Initializer ResolveInitializer(object identifier, string argument) => Resolve(() => identifier switch
    {
        "uniform" => new RandomUniform(),
        "normal" => new RandomNormal(),
        _ => Initializers.Initializer.Get(identifier),
    }, argument)!;

    private static T Resolve<T>(Func<T> get, string argument)
    {
        try { return get(); }
        catch (ArgumentException e) { throw new ArgumentException($"{argument}: {e.Message}", argument, e); }
    }

    private static string CamelPrefix(string prefix)
    {
        var parts = prefix.Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
