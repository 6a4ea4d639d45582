using Sharpkeras.Saving;

namespace Sharpkeras.Layers;

/// <summary>Rebuilds a layer from a (possibly edited) config through the loader's constructor matching.</summary>
internal static class RecurrentCloning
{
    /// <summary>A new <typeparamref name="T"/> of <paramref name="source"/>'s type from <paramref name="config"/>.</summary>
    public static T FromConfig<T>(T source, Dictionary<string, object?> config) where T : Layer
    {
        var custom = new Dictionary<string, Type>(StringComparer.Ordinal);
        void Collect(Layer l)
        {
            custom.TryAdd(l.GetType().Name, l.GetType());
            foreach (var s in l.SubLayers) Collect(s);
        }
        Collect(source);
        try
        {
            return (T)Serialization.LayerFromConfig(source.GetType(), config, custom);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidOperationException(
                $"{source.GetType().Name} '{source.Name}' cannot be copied from its config (needed for Bidirectional): {e.Message} " +
                "Give the class a public constructor whose parameters match its GetConfig keys, or override CloneCell.", e);
        }
    }
}
