using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Adadelta (Keras's <c>keras.optimizers.Adadelta</c>; defaults lr 0.001, rho 0.95, epsilon 1e-7), run by torch's
/// Adadelta, whose update is Keras's: <c>a = ρa + (1-ρ)g²</c>, <c>Δ = √(d + ε)/√(a + ε)·g</c>, <c>d = ρd + (1-ρ)Δ²</c>,
/// <c>w -= lr·Δ</c>.
/// </summary>
public sealed class Adadelta : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a schedule (default 0.001; note torch's default is 1.0).</param>
    /// <param name="rho">Decay rate of the running averages.</param>
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
    public Adadelta(object? learningRate = null, double rho = 0.95, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "adadelta")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        OptimizerChecks.Rho(rho, nameof(rho));
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Rho = rho;
        Epsilon = epsilon;
    }

    /// <summary>Decay rate of the running averages.</summary>
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
