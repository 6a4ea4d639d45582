using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// RMSprop (Keras defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false), on torch's RMSprop
/// (torch adds epsilon outside the square root, Keras inside; with epsilon 1e-7 the difference is negligible).
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public RMSprop(object? learningRate = null, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "rmsprop")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, name)
    {
        OptimizerChecks.Rho(rho, nameof(rho));
        OptimizerChecks.Rho(momentum, nameof(momentum));
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
    }

    /// <summary>Discounting factor of the squared-gradient average.</summary>
    public double Rho { get; }
    /// <summary>Momentum.</summary>
    public double Momentum { get; }
    /// <summary>Numerical-stability constant.</summary>
    public double Epsilon { get; }
    /// <summary>Whether gradients are normalised by their estimated variance.</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.RMSProp(parameters, learningRate, alpha: Rho, eps: Epsilon, momentum: Momentum, centered: Centered);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon; c["centered"] = Centered;
        return c;
    }
}
