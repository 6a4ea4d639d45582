namespace Sharpkeras.Metrics;

/// <summary>
/// Whether a metric improves upwards or downwards (Keras's metric <c>_direction</c>), used by callbacks in
/// <c>mode: "auto"</c>. Known metric types and Keras's metric names are recognised; anything else is unknown (null).
/// </summary>
internal static class MetricDirections
{
    private static readonly HashSet<string> Up =
    [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "precision", "recall", "auc", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    ];

    private static readonly HashSet<string> Down =
    [
        "loss", "mae", "mse", "rmse", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
    ];

    /// <summary>"up", "down" or null for a metric object: its own <see cref="Metric.Direction"/>, else judged by its name.</summary>
    public static string? Of(Metric metric) => metric.Direction ?? OfName(metric.Name);

    /// <summary>"up", "down" or null for a metric name as it appears in the logs (without "val_").</summary>
    public static string? OfName(string name)
    {
        if (Up.Contains(name)) return "up";
        if (Down.Contains(name) || name.EndsWith("_loss", StringComparison.Ordinal)) return "down";
        return null;
    }
}
