using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>AdamW: Adam with decoupled weight decay (Keras defaults: lr 0.001, weightDecay 0.004, epsilon 1e-7).</summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public AdamW(object? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adamw")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, name)
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
    protected override bool AppliesOwnWeightDecay => true;

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.AdamW(parameters, learningRate, Beta1, Beta2, Epsilon, weight_decay: WeightDecay ?? 0, amsgrad: Amsgrad);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon; c["amsgrad"] = Amsgrad;
        return c;
    }
}
