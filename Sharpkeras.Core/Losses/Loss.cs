using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>
/// Base class of losses (Keras's <c>keras.losses.Loss</c>). <see cref="Call"/> returns the per-sample
/// values; <see cref="Compute"/> applies sample weights and the reduction, like calling a Keras loss object.
/// </summary>
public abstract class Loss
{
    /// <summary>Valid reductions.</summary>
    public static readonly string[] Reductions = ["sum_over_batch_size", "sum", "none", "mean"];

    /// <summary>Creates a loss.</summary>
    /// <param name="name">Name shown in logs of multi-output models.</param>
    /// <param name="reduction">"sum_over_batch_size" (default: weighted sum divided by the number of values), "sum", "mean" or "none".</param>
    protected Loss(string name, string reduction = "sum_over_batch_size")
    {
        if (!Reductions.Contains(reduction))
            throw new ArgumentException($"Invalid reduction '{reduction}'. Valid: {string.Join(", ", Reductions)}.", nameof(reduction));
        Name = name;
        Reduction = reduction;
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>The reduction applied by <see cref="Compute"/>.</summary>
    public string Reduction { get; }

    /// <summary>The unreduced loss: one value per sample (and per timestep for sequences).</summary>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>The loss as Keras computes it when the object is called: weighted and reduced.</summary>
    public Tensor Compute(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var values = Call(yTrue, yPred);
        return Reduce(values, sampleWeight, Reduction);
    }

    /// <summary>Keras's <c>reduce_weighted_values</c>.</summary>
    public static Tensor Reduce(Tensor values, Tensor? sampleWeight, string reduction)
    {
        if (sampleWeight is not null)
        {
            var sw = sampleWeight.to(values.dtype, values.device);
            while (sw.dim() > values.dim() && sw.shape[^1] == 1) sw = sw.squeeze(-1);
            while (sw.dim() < values.dim()) sw = sw.unsqueeze(-1);
            values = values * sw;
        }
        return reduction switch
        {
            "none" => values,
            "sum" => values.sum(),
            _ => values.numel() == 0 ? values.sum() : values.sum() / values.numel(),
        };
    }

    /// <summary>The arguments that rebuild this loss.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["reduction"] = Reduction };

    /// <summary>The Keras aliases <see cref="Get"/> accepts.</summary>
    public static readonly string[] Aliases =
    [
        "mse", "mean_squared_error", "mae", "mean_absolute_error", "huber", "binary_crossentropy",
        "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "kld", "log_cosh", "hinge",
    ];

    /// <summary>Resolves a Keras alias or a <see cref="Loss"/> object.</summary>
    public static Loss Get(object identifier) => identifier switch
    {
        Loss l => l,
        string s => s switch
        {
            "mse" or "mean_squared_error" => new MeanSquaredError(),
            "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
            "huber" => new Huber(),
            "binary_crossentropy" => new BinaryCrossentropy(),
            "categorical_crossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
            "kl_divergence" or "kld" or "kullback_leibler_divergence" => new KLDivergence(),
            "log_cosh" or "logcosh" => new LogCosh(),
            "hinge" => new Hinge(),
            _ => throw new ArgumentException($"Unknown loss '{s}'. Valid: {string.Join(", ", Aliases)}.", nameof(identifier)),
        },
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret loss '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };
}
