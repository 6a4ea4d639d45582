using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Lion (Chen et al. 2023; Keras defaults lr 0.001, beta1 0.9, beta2 0.99): w −= lr·sign(β₁·m + (1 − β₁)·g), m ← β₂·m + (1 − β₂)·g. String alias: "lion".</summary>
public sealed class Lion : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a LearningRateSchedule (default 0.001).</param>
    /// <param name="beta1">Keras's <c>beta_1</c>.</param>
    /// <param name="beta2">Keras's <c>beta_2</c>.</param>
    /// <param name="weightDecay">Decoupled weight decay, or null.</param>
    /// <param name="clipNorm">Per-weight gradient norm clip, or null.</param>
    /// <param name="clipValue">Gradient value clip, or null.</param>
    /// <param name="globalClipnorm">Global gradient norm clip, or null.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Overwrite the weights with their average every this many iterations (null: only at the end of fit).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">Loss scale: the loss is multiplied and the gradients divided by it.</param>
    /// <param name="name">The optimizer's name.</param>
    public Lion(object? learningRate = null, double beta1 = 0.9, double beta2 = 0.99, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "lion")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        if (!(beta1 > 0 && beta1 <= 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in (0, 1]; otherwise the optimizer degenerates to SignSGD.");
        OptimizerChecks.Beta(beta2, nameof(beta2));
        Beta1 = beta1;
        Beta2 = beta2;
    }

    /// <summary>Keras's <c>beta_1</c>.</summary>
    public double Beta1 { get; }

    /// <summary>Keras's <c>beta_2</c>.</summary>
    public double Beta2 { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasLionAlgorithm(parameters, learningRate, Beta1, Beta2);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        return c;
    }
}
