namespace Sharpkeras.Registry;

/// <summary>
/// One table from Keras string aliases ("mse", "adam", "glorot_uniform", …) to factories that make a fresh object,
/// shared by <c>Loss.Get</c>, <c>Metric.Get</c>, <c>Activations.Get</c>, <c>Optimizer.Get</c>, <c>Initializer.Get</c>
/// and <c>Regularizer.Get</c>. An unknown alias throws an <see cref="ArgumentException"/> that lists every valid alias, sorted.
/// </summary>
/// <typeparam name="T">What the aliases resolve to.</typeparam>
public sealed class AliasRegistry<T>
{
    private readonly Dictionary<string, Func<string, T>> _factories = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>Creates an empty registry.</summary>
    /// <param name="kind">What the registry holds, as shown in error messages ("loss", "metric", …).</param>
    public AliasRegistry(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        Kind = kind;
    }

    /// <summary>What the registry holds ("loss", "metric", …).</summary>
    public string Kind { get; }

    /// <summary>Registers <paramref name="factory"/> under each of <paramref name="aliases"/>; a later registration of an alias replaces the earlier one.</summary>
    /// <param name="factory">Makes a new object; it receives the alias it was asked for (metrics name themselves after it).</param>
    /// <param name="aliases">One or more aliases.</param>
    public AliasRegistry<T> Register(Func<string, T> factory, params string[] aliases)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(aliases);
        if (aliases.Length == 0) throw new ArgumentException($"Register a {Kind} under at least one alias.", nameof(aliases));
        lock (_gate)
            foreach (var a in aliases)
            {
                ArgumentException.ThrowIfNullOrEmpty(a, nameof(aliases));
                _factories[a] = factory;
            }
        return this;
    }

    /// <summary>Registers a factory that ignores the alias it was asked for.</summary>
    /// <param name="factory">Makes a new object.</param>
    /// <param name="aliases">One or more aliases.</param>
    public AliasRegistry<T> Register(Func<T> factory, params string[] aliases)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Register(_ => factory(), aliases);
    }

    /// <summary>Whether <paramref name="alias"/> is registered.</summary>
    /// <param name="alias">The alias.</param>
    public bool Contains(string alias)
    {
        lock (_gate) return alias is not null && _factories.ContainsKey(alias);
    }

    /// <summary>Every registered alias, sorted ordinally.</summary>
    public IReadOnlyList<string> Aliases
    {
        get { lock (_gate) return _factories.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray(); }
    }

    /// <summary>A new object for <paramref name="alias"/>, or false when the alias is unknown.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="value">The new object.</param>
    public bool TryGet(string alias, out T value)
    {
        Func<string, T>? f;
        lock (_gate) _factories.TryGetValue(alias ?? "", out f);
        if (f is null) { value = default!; return false; }
        value = f(alias!);
        return true;
    }

    /// <summary>A new object for <paramref name="alias"/>.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="argument">The argument name reported in the exception.</param>
    /// <exception cref="ArgumentException">The alias is unknown; the message lists every valid alias, sorted.</exception>
    public T Get(string alias, string argument = "identifier")
    {
        if (alias is null) throw new ArgumentNullException(argument);
        if (TryGet(alias, out var v)) return v;
        throw UnknownAlias(alias, argument);
    }

    /// <summary>The exception for an unknown alias: names it and lists every valid alias, sorted.</summary>
    /// <param name="alias">The alias that was not found.</param>
    /// <param name="argument">The argument name reported in the exception.</param>
    public ArgumentException UnknownAlias(string alias, string argument = "identifier") =>
        new($"Unknown {Kind} '{alias}'. Valid {Kind} aliases: {string.Join(", ", Aliases)}.", argument);
}
