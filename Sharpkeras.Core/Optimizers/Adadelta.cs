using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Adadelta (Keras defaults: lr 0.001, rho 0.95, epsilon 1e-7).</summary>
public sealed class Adadelta : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Adadelta(object? learningRate = null, double rho = 0.95, double epsilon = 1e-7, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adadelta")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, name)
    {
        OptimizerChecks.Rho(rho, nameof(rho));
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Rho = rho; Epsilon = epsilon;
    }

    /// <summary>Decay rate.</summary>
    public double Rho { get; }
    /// <summary>Numerical-stability constant.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.Adadelta(parameters, learningRate, rho: Rho, eps: Epsilon);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["epsilon"] = Epsilon;
        return c;
    }
}
