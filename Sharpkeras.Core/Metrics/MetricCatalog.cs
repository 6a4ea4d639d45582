namespace Sharpkeras.Metrics;

/// <summary>
/// Maps metric aliases to new metric objects (besides the accuracy family). As in Keras, a metric made from an
/// alias is named by that alias ("mae" logs as "mae" and "val_mae").
/// </summary>
internal static class MetricCatalog
{
    public static Metric? FromAlias(string alias) => alias switch
    {
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(name: alias),
        "mse" or "mean_squared_error" => new MeanSquaredError(name: alias),
        "rmse" or "root_mean_squared_error" => new RootMeanSquaredError(name: alias),
        "precision" => new Precision(name: alias),
        "recall" => new Recall(name: alias),
        "auc" => new AUC(name: alias),
        "top_k_categorical_accuracy" => new TopKCategoricalAccuracy(name: alias),
        "sparse_top_k_categorical_accuracy" => new SparseTopKCategoricalAccuracy(name: alias),
        _ => null,
    };
}
