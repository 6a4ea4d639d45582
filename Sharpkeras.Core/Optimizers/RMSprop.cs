using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// RMSprop (Keras's <c>keras.optimizers.RMSprop</c>; defaults lr 0.001, rho 0.9, momentum 0, epsilon 1e-7,
/// centered false). Keras's update: <c>v = ρv + (1-ρ)g²</c>, <c>w -= lr·g/√(v + ε)</c> (centered: <c>√(v - ḡ² + ε)</c>
/// with <c>ḡ</c> the running mean gradient); with momentum <c>m = μm + lr·g/√(…)</c>, <c>w -= m</c>.
/// </summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a schedule (default 0.001).</param>
    /// <param name="rho">Discounting factor of the squared-gradient average.</param>
    /// <param name="momentum">Momentum factor (0: none).</param>
    /// <param name="epsilon">Added to the average before the square root.</param>
    /// <param name="centered">Normalize by the estimated variance of the gradient instead of its second moment.</param>
    /// <param name="weightDecay">Decoupled weight decay: each step w -= lr·wd·w (null: none).</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Overwrite the weights with their average every this many iterations (null: only at the end of fit).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">Loss scale: the loss is multiplied and the gradients divided by it.</param>
    /// <param name="name">The optimizer's name (Keras's automatic name for this class).</param>
    public RMSprop(object? learningRate = null, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "rm_sprop")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        OptimizerChecks.Rho(rho, nameof(rho));
        if (momentum is < 0 or > 1 || double.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        Rho = rho; Momentum = momentum; Epsilon = epsilon; Centered = centered;
    }

    /// <summary>Discounting factor of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Numerical-stability constant (inside the square root, as in Keras).</summary>
    public double Epsilon { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasRMSpropAlgorithm(parameters, learningRate, Rho, Momentum, Epsilon, Centered);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon; c["centered"] = Centered;
        return c;
    }
}
