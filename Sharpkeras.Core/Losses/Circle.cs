using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Circle loss for metric learning: integer labels (batch) and L2-normalised embeddings (batch, dim); each query's loss is softplus(logsumexp of positive terms + logsumexp of negative terms), masked where it is 0. String alias: "circle".</summary>
public sealed class Circle : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="gamma">Keras's <c>gamma</c>.</param>
    /// <param name="margin">Keras's <c>margin</c>.</param>
    /// <param name="removeDiagonal">Keras's <c>remove_diagonal</c>.</param>
    /// <param name="reduction">"sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight" or "none".</param>
    /// <param name="name">The loss's name.</param>
    public Circle(double gamma = 80.0, double margin = 0.4, bool removeDiagonal = true, string reduction = "sum_over_batch_size", string name = "circle")
        : base(name, reduction)
    {
        if (!double.IsFinite(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite.");
        if (!double.IsFinite(margin)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be finite.");
        Gamma = gamma;
        Margin = margin;
        RemoveDiagonal = removeDiagonal;
    }

    /// <summary>Keras's <c>gamma</c>.</summary>
    public double Gamma { get; }
    /// <summary>Keras's <c>margin</c>.</summary>
    public double Margin { get; }
    /// <summary>Keras's <c>remove_diagonal</c>.</summary>
    public bool RemoveDiagonal { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred) => Losses.Circle(yTrue, yPred, gamma: Gamma, margin: Margin, removeDiagonal: RemoveDiagonal);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["gamma"] = Gamma;
        c["margin"] = Margin;
        c["remove_diagonal"] = RemoveDiagonal;
        return c;
    }
}
