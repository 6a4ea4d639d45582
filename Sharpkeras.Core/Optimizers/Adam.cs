using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Adam (Keras defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false).</summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a <see cref="Schedules.LearningRateSchedule"/> (default 0.001).</param>
    /// <param name="beta1">Decay rate of the first-moment estimates (default 0.9).</param>
    /// <param name="beta2">Decay rate of the second-moment estimates (default 0.999).</param>
    /// <param name="epsilon">Keras's "epsilon hat", added to √v before bias correction (default 1e-7).</param>
    /// <param name="amsgrad">Use the AMSGrad variant (keeps the maximum of past second moments).</param>
    /// <param name="weightDecay">Decoupled weight decay coefficient, or null for none.</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Overwrite the weights with their average every this many iterations (null: only at the end of fit).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">Loss scale: the loss is multiplied and the gradients divided by it.</param>
    /// <param name="name">The optimizer's name.</param>
    /// <exception cref="System.ArgumentOutOfRangeException">A beta outside [0, 1) or a negative epsilon.</exception>
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
        => new Torch.KerasAdamAlgorithm(parameters, learningRate, Beta1, Beta2, Epsilon, Amsgrad);

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
