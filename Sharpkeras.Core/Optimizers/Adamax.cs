using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Adamax, Adam with the infinity norm (Keras's <c>keras.optimizers.Adamax</c>; defaults lr 0.001, beta1 0.9,
/// beta2 0.999, epsilon 1e-7), run by torch's Adamax: <c>m = β₁m + (1-β₁)g</c>, <c>u = max(β₂u, |g|)</c>,
/// <c>w -= lr/(1-β₁ᵗ)·m/(u + ε)</c> (torch folds ε into u; the two agree to within (1-β₂)·ε).
/// </summary>
public sealed class Adamax : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a schedule (default 0.001).</param>
    /// <param name="beta1">Decay rate of the first moment.</param>
    /// <param name="beta2">Decay rate of the infinity norm.</param>
    /// <param name="epsilon">Numerical-stability constant.</param>
    /// <param name="weightDecay">Decoupled weight decay: each step w -= lr·wd·w (null: none).</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Overwrite the weights with their average every this many iterations (null: only at the end of fit).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">Loss scale: the loss is multiplied and the gradients divided by it.</param>
    /// <param name="name">The optimizer's name.</param>
    public Adamax(object? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "adamax")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        OptimizerChecks.Beta(beta1, nameof(beta1));
        OptimizerChecks.Beta(beta2, nameof(beta2));
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
    }

    /// <summary>Decay rate of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay rate of the infinity norm.</summary>
    public double Beta2 { get; }

    /// <summary>Numerical-stability constant.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.Adamax(parameters, learningRate, Beta1, Beta2, Epsilon);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
        return c;
    }
}
