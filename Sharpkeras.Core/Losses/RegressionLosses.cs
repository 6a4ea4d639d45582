using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>
/// Huber loss, averaged over the last axis: ½e² where |e| ≤ delta, delta·(|e| − ½delta) elsewhere (e = ŷ − y; default delta 1).
/// </summary>
public sealed class Huber : Loss
{
    /// <summary>Creates the loss.</summary>
    public Huber(double delta = 1.0, string reduction = "sum_over_batch_size", string name = "huber_loss") : base(name, reduction)
    {
        if (!(delta > 0) || !double.IsFinite(delta)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be > 0.");
        Delta = delta;
    }

    /// <summary>The point where the loss changes from quadratic to linear.</summary>
    public double Delta { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        var abs = (p - t).abs();
        var quad = abs.clamp_max(Delta);
        var lin = abs - quad;
        return (0.5 * quad.square() + Delta * lin).mean([-1L]);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["delta"] = Delta;
        return c;
    }
}

/// <summary>Logarithm of the hyperbolic cosine of the error, averaged over the last axis: log(cosh(ŷ − y)), computed stably.</summary>
public sealed class LogCosh(string reduction = "sum_over_batch_size", string name = "log_cosh") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        var x = p - t;
        // log(cosh(x)) = x + softplus(-2x) - log(2)
        return (x + nn.functional.softplus(-2.0 * x) - Math.Log(2.0)).mean([-1L]);
    }
}

/// <summary>Kullback-Leibler divergence over the last axis: Σ y·log(y/ŷ), with both clipped to [ε, 1].</summary>
public sealed class KLDivergence(string reduction = "sum_over_batch_size", string name = "kl_divergence") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        double eps = Keras.Config.Epsilon;
        var tc = t.clamp(eps, 1.0);
        var pc = p.clamp(eps, 1.0);
        return (tc * (tc / pc).log()).sum([-1L]);
    }
}

/// <summary>
/// Hinge loss, averaged over the last axis: max(1 − y·ŷ, 0). Labels in {0, 1} are mapped to {−1, 1} first, as Keras does.
/// </summary>
public sealed class Hinge(string reduction = "sum_over_batch_size", string name = "hinge") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        // Keras: labels that are all 0/1 become -1/1; labels already in {-1, 1} stay.
        var isBinary = t.eq(0).logical_or(t.eq(1)).all();
        t = torch.where(isBinary, 2.0 * t - 1.0, t);
        return (1.0 - t * p).clamp_min(0).mean([-1L]);
    }
}
