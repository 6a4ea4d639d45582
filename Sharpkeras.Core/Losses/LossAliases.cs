using Sharpkeras.Registry;

namespace Sharpkeras.Losses;

/// <summary>
/// Keras's loss aliases (<c>keras.losses.get</c>): each class name, its snake-case function name, and the legacy
/// short names (mse, MSE, mae, MAE, mape, MAPE, msle, MSLE, kld, KLD, bce, BCE, logcosh, kullback_leibler_divergence).
/// </summary>
internal static class LossAliases
{
    public static AliasRegistry<Loss> Create()
    {
        var r = new AliasRegistry<Loss>("loss");
        r.Register(() => new MeanSquaredError(), "MeanSquaredError", "mean_squared_error", "mse", "MSE");
        r.Register(() => new MeanAbsoluteError(), "MeanAbsoluteError", "mean_absolute_error", "mae", "MAE");
        r.Register(() => new MeanAbsolutePercentageError(), "MeanAbsolutePercentageError", "mean_absolute_percentage_error", "mape", "MAPE");
        r.Register(() => new MeanSquaredLogarithmicError(), "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error", "msle", "MSLE");
        r.Register(() => new CosineSimilarity(), "CosineSimilarity", "cosine_similarity");
        r.Register(() => new Huber(), "Huber", "huber", "huber_loss");
        r.Register(() => new LogCosh(), "LogCosh", "log_cosh", "logcosh");
        r.Register(() => new Hinge(), "Hinge", "hinge");
        r.Register(() => new SquaredHinge(), "SquaredHinge", "squared_hinge");
        r.Register(() => new CategoricalHinge(), "CategoricalHinge", "categorical_hinge");
        r.Register(() => new KLDivergence(), "KLDivergence", "kl_divergence", "kld", "KLD", "kullback_leibler_divergence");
        r.Register(() => new Poisson(), "Poisson", "poisson");
        r.Register(() => new BinaryCrossentropy(), "BinaryCrossentropy", "binary_crossentropy", "bce", "BCE");
        r.Register(() => new BinaryFocalCrossentropy(), "BinaryFocalCrossentropy", "binary_focal_crossentropy");
        r.Register(() => new CategoricalCrossentropy(), "CategoricalCrossentropy", "categorical_crossentropy");
        r.Register(() => new CategoricalFocalCrossentropy(), "CategoricalFocalCrossentropy", "categorical_focal_crossentropy");
        r.Register(() => new SparseCategoricalCrossentropy(), "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy");
        r.Register(() => new CTC(), "CTC", "ctc");
        r.Register(() => new Dice(), "Dice", "dice");
        r.Register(() => new Tversky(), "Tversky", "tversky");
        r.Register(() => new Circle(), "Circle", "circle");
        r.Register(() => new CategoricalGeneralizedCrossEntropy(), "CategoricalGeneralizedCrossEntropy", "categorical_generalized_cross_entropy");
        return r;
    }
}
