using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Adam with decoupled weight decay (Keras's <c>keras.optimizers.AdamW</c>; defaults lr 0.001, weightDecay 0.004,
/// beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false). Each step first decays the weights, <c>w -= lr·wd·w</c>
/// (applied by the base optimizer), then applies Adam's update with Keras's "epsilon hat".
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a schedule (default 0.001).</param>
    /// <param name="weightDecay">Decoupled weight decay coefficient (default 0.004).</param>
    /// <param name="beta1">Decay rate of the first moment.</param>
    /// <param name="beta2">Decay rate of the second moment.</param>
    /// <param name="epsilon">Keras's "epsilon hat" (added to √v before bias correction).</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <param name="clipNorm">Each weight's gradient is clipped to this norm.</param>
    /// <param name="clipValue">Each gradient element is clipped to ±this.</param>
    /// <param name="globalClipnorm">All gradients together are clipped to this global norm.</param>
    /// <param name="useEma">Keep an exponential moving average of the weights (Keras's <c>use_ema</c>).</param>
    /// <param name="emaMomentum">The average's momentum (default 0.99).</param>
    /// <param name="emaOverwriteFrequency">Overwrite the weights with their average every this many iterations (null: only at the end of fit).</param>
    /// <param name="gradientAccumulationSteps">Accumulate gradients over this many steps (≥ 2) and apply their mean once.</param>
    /// <param name="lossScaleFactor">Loss scale: the loss is multiplied and the gradients divided by it.</param>
    /// <param name="name">The optimizer's name (Keras's automatic name for this class).</param>
    public AdamW(object? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "adam_w")
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

    /// <summary>Numerical-stability constant (Keras's "epsilon hat").</summary>
    public double Epsilon { get; }

    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasAdamAlgorithm(parameters, learningRate, Beta1, Beta2, Epsilon, Amsgrad);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; c["amsgrad"] = Amsgrad;
        return c;
    }
}
