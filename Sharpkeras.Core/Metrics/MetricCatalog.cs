namespace Sharpkeras.Metrics;

/// <summary>Maps metric aliases to new metric objects (besides the accuracy family).</summary>
internal static class MetricCatalog
{
    public static Metric? FromAlias(string alias) => alias switch
    {
        "mae" => new MeanAbsoluteError(name: "mae"),
        "mean_absolute_error" => new MeanAbsoluteError(),
        "mse" => new MeanSquaredError(name: "mse"),
        "mean_squared_error" => new MeanSquaredError(),
        "rmse" => new RootMeanSquaredError(name: "rmse"),
        "root_mean_squared_error" => new RootMeanSquaredError(),
        "precision" => new Precision(),
        "recall" => new Recall(),
        "auc" => new AUC(),
        "top_k_categorical_accuracy" => new TopKCategoricalAccuracy(),
        "sparse_top_k_categorical_accuracy" => new SparseTopKCategoricalAccuracy(),
        _ => null,
    };
}
