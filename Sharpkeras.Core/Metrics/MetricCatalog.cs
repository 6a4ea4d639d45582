namespace Sharpkeras.Metrics;

/// <summary>Maps metric aliases to new metric objects (besides the accuracy family).</summary>
internal static class MetricCatalog
{
    public static Metric? FromAlias(string alias) => alias switch
    {
        _ => null,
    };
}
