using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>FTRL-proximal (McMahan et al. 2013; Keras defaults lr 0.001, learningRatePower −0.5, initialAccumulatorValue 0.1, no regularization). String alias: "ftrl".</summary>
public sealed class Ftrl : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a LearningRateSchedule (default 0.001).</param>
    /// <param name="learningRatePower">Keras's <c>learning_rate_power</c>.</param>
    /// <param name="initialAccumulatorValue">Keras's <c>initial_accumulator_value</c>.</param>
    /// <param name="l1RegularizationStrength">Keras's <c>l1_regularization_strength</c>.</param>
    /// <param name="l2RegularizationStrength">Keras's <c>l2_regularization_strength</c>.</param>
    /// <param name="l2ShrinkageRegularizationStrength">Keras's <c>l2_shrinkage_regularization_strength</c>.</param>
    /// <param name="beta">Keras's <c>beta</c>.</param>
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
    public Ftrl(object? learningRate = null, double learningRatePower = -0.5, double initialAccumulatorValue = 0.1, double l1RegularizationStrength = 0.0, double l2RegularizationStrength = 0.0, double l2ShrinkageRegularizationStrength = 0.0, double beta = 0.0, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "ftrl")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        if (!(learningRatePower <= 0)) throw new ArgumentOutOfRangeException(nameof(learningRatePower), learningRatePower, "learningRatePower needs to be negative or zero.");
        if (!(initialAccumulatorValue >= 0)) throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initialAccumulatorValue needs to be positive or zero.");
        if (!(l1RegularizationStrength >= 0)) throw new ArgumentOutOfRangeException(nameof(l1RegularizationStrength), l1RegularizationStrength, "l1RegularizationStrength needs to be positive or zero.");
        if (!(l2RegularizationStrength >= 0)) throw new ArgumentOutOfRangeException(nameof(l2RegularizationStrength), l2RegularizationStrength, "l2RegularizationStrength needs to be positive or zero.");
        if (!(l2ShrinkageRegularizationStrength >= 0)) throw new ArgumentOutOfRangeException(nameof(l2ShrinkageRegularizationStrength), l2ShrinkageRegularizationStrength, "l2ShrinkageRegularizationStrength needs to be positive or zero.");
        if (!double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be finite.");
        LearningRatePower = learningRatePower;
        InitialAccumulatorValue = initialAccumulatorValue;
        L1RegularizationStrength = l1RegularizationStrength;
        L2RegularizationStrength = l2RegularizationStrength;
        L2ShrinkageRegularizationStrength = l2ShrinkageRegularizationStrength;
        Beta = beta;
    }

    /// <summary>Keras's <c>learning_rate_power</c>.</summary>
    public double LearningRatePower { get; }

    /// <summary>Keras's <c>initial_accumulator_value</c>.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>Keras's <c>l1_regularization_strength</c>.</summary>
    public double L1RegularizationStrength { get; }

    /// <summary>Keras's <c>l2_regularization_strength</c>.</summary>
    public double L2RegularizationStrength { get; }

    /// <summary>Keras's <c>l2_shrinkage_regularization_strength</c>.</summary>
    public double L2ShrinkageRegularizationStrength { get; }

    /// <summary>Keras's <c>beta</c>.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasFtrlAlgorithm(parameters, learningRate, LearningRatePower, InitialAccumulatorValue, L1RegularizationStrength, L2RegularizationStrength, L2ShrinkageRegularizationStrength, Beta);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["learning_rate_power"] = LearningRatePower;
        c["initial_accumulator_value"] = InitialAccumulatorValue;
        c["l1_regularization_strength"] = L1RegularizationStrength;
        c["l2_regularization_strength"] = L2RegularizationStrength;
        c["l2_shrinkage_regularization_strength"] = L2ShrinkageRegularizationStrength;
        c["beta"] = Beta;
        return c;
    }
}
