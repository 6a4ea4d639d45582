using Sharpkeras.Registry;

namespace Sharpkeras.Metrics;

/// <summary>
/// Keras's metric aliases (<c>keras.metrics.get</c>): each class name, its snake-case name, and the short names
/// (mse, mae, mape, msle, rmse, bce and their upper-case forms, acc). As in Keras, a metric made from an alias is
/// named by that alias ("mae" logs as "mae" and "val_mae"). "accuracy"/"acc" given to <c>Compile</c> are resolved
/// from the shapes instead (<see cref="Metric.ResolveAccuracy"/>).
/// </summary>
internal static class MetricCatalog
{
    public static AliasRegistry<Metric> Create()
    {
        var r = new AliasRegistry<Metric>("metric");
        r.Register(a => new Accuracy(name: a), "Accuracy", "accuracy", "acc");
        r.Register(a => new BinaryAccuracy(name: a), "BinaryAccuracy", "binary_accuracy");
        r.Register(a => new CategoricalAccuracy(name: a), "CategoricalAccuracy", "categorical_accuracy");
        r.Register(a => new SparseCategoricalAccuracy(name: a), "SparseCategoricalAccuracy", "sparse_categorical_accuracy");
        r.Register(a => new TopKCategoricalAccuracy(name: a), "TopKCategoricalAccuracy", "top_k_categorical_accuracy");
        r.Register(a => new SparseTopKCategoricalAccuracy(name: a), "SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy");
        r.Register(a => new Mean(name: a), "Mean", "mean");
        r.Register(a => new Sum(name: a), "Sum", "sum");
        r.Register(a => new MeanAbsoluteError(name: a), "MeanAbsoluteError", "mean_absolute_error", "mae", "MAE");
        r.Register(a => new MeanSquaredError(name: a), "MeanSquaredError", "mean_squared_error", "mse", "MSE");
        r.Register(a => new RootMeanSquaredError(name: a), "RootMeanSquaredError", "root_mean_squared_error", "rmse");
        r.Register(a => new Precision(name: a), "Precision", "precision");
        r.Register(a => new Recall(name: a), "Recall", "recall");
        r.Register(a => new AUC(name: a), "AUC", "auc");
        CatalogueMetrics.Register(r);
        return r;
    }
}
