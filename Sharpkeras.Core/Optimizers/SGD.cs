using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>
/// Stochastic gradient descent with Keras's update rule (defaults: lr 0.01, momentum 0): without momentum w ← w − lr·g;
/// with momentum Keras's velocity form m ← μ·m − lr·g, w ← w + m (Nesterov: w ← w + μ·m − lr·g). Unlike torch's form
/// (b ← μ·b + g, w ← w − lr·b) the learning rate is folded into the velocity, which differs once the learning rate changes
/// during training. <c>nesterov: true</c> with momentum 0 is allowed, as in Keras (it is then plain SGD).
/// </summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">A number or a LearningRateSchedule (default 0.01).</param>
    /// <param name="momentum">μ in [0, 1].</param>
    /// <param name="nesterov">Nesterov momentum.</param>
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
    public SGD(object? learningRate = null, double momentum = 0.0, bool nesterov = false, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99,
        int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, double? lossScaleFactor = null, string name = "SGD")
        : base(learningRate ?? 0.01, weightDecay, clipNorm, clipValue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, lossScaleFactor, name)
    {
        if (momentum is < 0 or > 1 || double.IsNaN(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => new KerasSGDAlgorithm(parameters, learningRate, Momentum, Nesterov);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum; c["nesterov"] = Nesterov;
        return c;
    }
}
