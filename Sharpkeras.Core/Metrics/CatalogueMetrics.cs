using Sharpkeras.Registry;

namespace Sharpkeras.Metrics;

/// <summary>Registers the aliases of the rest of Keras's metric catalogue.</summary>
internal static class CatalogueMetrics
{
    public static void Register(AliasRegistry<Metric> r)
    {
    }
}
