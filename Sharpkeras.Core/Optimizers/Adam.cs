using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Adam (Keras defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false).</summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Adam(object? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "adam")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        OptimizerChecks.Beta(beta1, nameof(beta1));
        OptimizerChecks.Beta(beta2, nameof(beta2));
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; Amsgrad = amsgrad;
    }

    /// <summary>Decay rate of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay rate of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Numerical-stability constant.</summary>
    public double Epsilon { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.Adam(parameters, learningRate, Beta1, Beta2, Torch.KerasEpsilonHat.Scaled(Epsilon, Beta2, 1), amsgrad: Amsgrad);

    /// <inheritdoc />
    protected override void BeforeTorchStep(double learningRate) => Torch.KerasEpsilonHat.Apply(TorchOptimizer, Epsilon, Beta2);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; c["amsgrad"] = Amsgrad;
        return c;
    }
}

/// <summary>Argument checks shared by the optimizers.</summary>
internal static class OptimizerChecks
{
    public static void Beta(double v, string name)
    {
        if (v is < 0 or >= 1 || double.IsNaN(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be in [0, 1).");
    }

    public static void Epsilon(double v, string name)
    {
        if (v is < 0 || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be finite and >= 0.");
    }

    public static void Rho(double v, string name)
    {
        if (v is < 0 or > 1 || double.IsNaN(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be in [0, 1].");
    }
}
