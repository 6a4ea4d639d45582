using Sharpkeras.Registry;

namespace Sharpkeras.Metrics;

/// <summary>
/// Registers the aliases of the rest of Keras's metric catalogue: class names and their snake-case forms. Metrics whose
/// constructor needs an argument without default (IoU family, SensitivityAtSpecificity and its siblings) have no alias, as
/// Keras cannot build them from a name either.
/// </summary>
internal static class CatalogueMetrics
{
    public static void Register(AliasRegistry<Metric> r)
    {
        r.Register(a => new MeanAbsolutePercentageError(name: a), "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE");
        r.Register(a => new MeanSquaredLogarithmicError(name: a), "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE");
        r.Register(a => new CosineSimilarity(name: a), "CosineSimilarity", "cosine_similarity");
        r.Register(a => new LogCoshError(name: a), "LogCoshError", "log_cosh_error", "logcosh");
        r.Register(a => new R2Score(name: a), "R2Score", "r2_score");
        r.Register(a => new PearsonCorrelation(name: a), "PearsonCorrelation", "pearson_correlation");
        r.Register(a => new ConcordanceCorrelation(name: a), "ConcordanceCorrelation", "concordance_correlation");
        r.Register(a => new Hinge(name: a), "Hinge", "hinge");
        r.Register(a => new SquaredHinge(name: a), "SquaredHinge", "squared_hinge");
        r.Register(a => new CategoricalHinge(name: a), "CategoricalHinge", "categorical_hinge");
        r.Register(a => new KLDivergence(name: a), "KLDivergence", "kl_divergence", "kld");
        r.Register(a => new Poisson(name: a), "Poisson", "poisson");
        r.Register(a => new BinaryCrossentropy(name: a), "BinaryCrossentropy", "binary_crossentropy", "bce", "BCE");
        r.Register(a => new CategoricalCrossentropy(name: a), "CategoricalCrossentropy", "categorical_crossentropy");
        r.Register(a => new SparseCategoricalCrossentropy(name: a), "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy");
        r.Register(a => new TruePositives(name: a), "TruePositives", "true_positives");
        r.Register(a => new TrueNegatives(name: a), "TrueNegatives", "true_negatives");
        r.Register(a => new FalsePositives(name: a), "FalsePositives", "false_positives");
        r.Register(a => new FalseNegatives(name: a), "FalseNegatives", "false_negatives");
        r.Register(a => new F1Score(name: a), "F1Score", "f1_score");
        r.Register(a => new FBetaScore(name: a), "FBetaScore", "f_beta_score", "fbeta_score");
        r.Register(a => new BinaryIoU(name: a), "BinaryIoU", "binary_io_u");
    }
}
