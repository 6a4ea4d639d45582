using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Adafactor (Shazeer &amp; Stern 2018; Keras defaults lr 0.001, beta2Decay −0.8, epsilon1 1e-30, epsilon2 1e-3, clipThreshold 1, relativeStep true): factored second moments for weights of rank ≥ 2. String alias: "adafactor".</summary>
public sealed class Adafactor : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a LearningRateSchedule (default 0.001).</param>
    /// <param name="beta2Decay">Keras's <c>beta_2_decay</c>.</param>
    /// <param name="epsilon1">Keras's <c>epsilon_1</c>.</param>
    /// <param name="epsilon2">Keras's <c>epsilon_2</c>.</param>
    /// <param name="clipThreshold">Keras's <c>clip_threshold</c>.</param>
    /// <param name="relativeStep">Keras's <c>relative_step</c>.</param>
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
    public Adafactor(object? learningRate = null, double beta2Decay = -0.8, double epsilon1 = 1e-30, double epsilon2 = 1e-3, double clipThreshold = 1.0, bool relativeStep = true, double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "adafactor")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        if (!double.IsFinite(beta2Decay) || beta2Decay >= 0) throw new ArgumentOutOfRangeException(nameof(beta2Decay), beta2Decay, "beta2Decay must be finite and < 0.");
        OptimizerChecks.Epsilon(epsilon1, nameof(epsilon1));
        OptimizerChecks.Epsilon(epsilon2, nameof(epsilon2));
        if (!(clipThreshold > 0) || !double.IsFinite(clipThreshold)) throw new ArgumentOutOfRangeException(nameof(clipThreshold), clipThreshold, "clipThreshold must be finite and > 0.");
        Beta2Decay = beta2Decay;
        Epsilon1 = epsilon1;
        Epsilon2 = epsilon2;
        ClipThreshold = clipThreshold;
        RelativeStep = relativeStep;
    }

    /// <summary>Keras's <c>beta_2_decay</c>.</summary>
    public double Beta2Decay { get; }

    /// <summary>Keras's <c>epsilon_1</c>.</summary>
    public double Epsilon1 { get; }

    /// <summary>Keras's <c>epsilon_2</c>.</summary>
    public double Epsilon2 { get; }

    /// <summary>Keras's <c>clip_threshold</c>.</summary>
    public double ClipThreshold { get; }

    /// <summary>Keras's <c>relative_step</c>.</summary>
    public bool RelativeStep { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasAdafactorAlgorithm(parameters, Variables.Select(v => v.TorchToKerasPermutation).ToList(), learningRate, Beta2Decay, Epsilon1, Epsilon2, ClipThreshold, RelativeStep && Schedule is null);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_2_decay"] = Beta2Decay;
        c["epsilon_1"] = Epsilon1;
        c["epsilon_2"] = Epsilon2;
        c["clip_threshold"] = ClipThreshold;
        c["relative_step"] = RelativeStep;
        return c;
    }
}
