namespace Sharpkeras.Registry;

/// <summary>
/// Keras's second names for layer classes (<c>keras.layers.MaxPool2D</c> is <c>MaxPooling2D</c>,
/// <c>keras.layers.Convolution2D</c> is <c>Conv2D</c>, …): an <see cref="AliasRegistry{T}"/> from the alias to the
/// canonical class name. Saved configs and <c>.keras</c> files resolve an alias to its canonical class, a
/// <c>.keras</c> file is written with the canonical name (as Keras writes it), and a layer of a built-in alias
/// class gets the canonical automatic name ("max_pooling2d", as in Keras).
/// </summary>
/// <remarks>
/// The C# classes <c>MaxPool2D</c>, <c>AvgPool2D</c>, <c>GlobalMaxPool2D</c>, … exist only so that
/// <c>new MaxPool2D(2)</c> compiles (C# has no type aliases across assemblies); they add nothing to their canonical class.
/// </remarks>
public static class LayerAliases
{
    /// <summary>Alias class name → canonical Keras class name.</summary>
    public static AliasRegistry<string> Registry { get; } = Create();

    private static AliasRegistry<string> Create()
    {
        var r = new AliasRegistry<string>("layer class");
        foreach (var d in new[] { "1D", "2D", "3D" })
        {
            r.Register(() => "MaxPooling" + d, "MaxPool" + d);
            r.Register(() => "AveragePooling" + d, "AvgPool" + d);
            r.Register(() => "GlobalMaxPooling" + d, "GlobalMaxPool" + d);
            r.Register(() => "GlobalAveragePooling" + d, "GlobalAvgPool" + d);
            r.Register(() => "Conv" + d, "Convolution" + d);
            r.Register(() => $"Conv{d}Transpose", $"Convolution{d}Transpose");
        }
        r.Register(() => "SeparableConv1D", "SeparableConvolution1D");
        r.Register(() => "SeparableConv2D", "SeparableConvolution2D");
        return r;
    }

    /// <summary>The canonical class name of <paramref name="className"/> (itself when it is no alias).</summary>
    /// <param name="className">A layer class name, as found in a config.</param>
    public static string Canonical(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        return Registry.TryGet(className, out var canonical) ? canonical : className;
    }
}
