using TorchSharp;
using TorchSharp.Modules;

namespace Sharpkeras.Optimizers;

/// <summary>Adagrad (Keras defaults: lr 0.001, initialAccumulatorValue 0.1, epsilon 1e-7).</summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Adagrad(object? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7, double? weightDecay = null,
        double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null, string name = "adagrad")
        : base(learningRate ?? 0.001, weightDecay, clipNorm, clipValue, globalClipNorm, name)
    {
        if (!(initialAccumulatorValue >= 0)) throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initialAccumulatorValue must be >= 0.");
        OptimizerChecks.Epsilon(epsilon, nameof(epsilon));
        InitialAccumulatorValue = initialAccumulatorValue; Epsilon = epsilon;
    }

    /// <summary>Starting value of the squared-gradient accumulators.</summary>
    public double InitialAccumulatorValue { get; }
    /// <summary>Numerical-stability constant.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    protected override torch.optim.Optimizer CreateTorchOptimizer(IList<Parameter> parameters, double learningRate)
        => torch.optim.Adagrad(parameters, learningRate, initial_accumulator_value: InitialAccumulatorValue, eps: Epsilon);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["initial_accumulator_value"] = InitialAccumulatorValue; c["epsilon"] = Epsilon;
        return c;
    }
}
