using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum and Nesterov momentum (Keras defaults: lr 0.01, momentum 0).</summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public SGD(object? learningRate = null, double momentum = 0.0, bool nesterov = false, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "SGD")
        : base(learningRate ?? 0.01, weightDecay, clipNorm, clipValue, globalClipNorm, name)
    {
        if (momentum is < 0 or > 1 || double.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        if (nesterov && momentum == 0)
            throw new ArgumentException("nesterov requires momentum > 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.SGD(parameters, learningRate, momentum: Momentum, nesterov: Nesterov);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum; c["nesterov"] = Nesterov;
        return c;
    }
}
