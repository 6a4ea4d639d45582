using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>Keras's Lion: w −= lr·sign(β₁·m + (1 − β₁)·g), then m ← β₂·m + (1 − β₂)·g.</summary>
internal sealed class KerasLionAlgorithm : KerasTorchOptimizer
{
    private readonly double _beta1, _beta2;

    public KerasLionAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2) : base(learningRate, 1)
    {
        _beta1 = beta1; _beta2 = beta2;
        AddParameters(parameters);
    }

    protected override Tensor InitialSlot(int slot, Parameter parameter) => torch.zeros_like(parameter);

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        var m = slots[0];
        parameter.add_((m * _beta1).add_(g, alpha: 1 - _beta1).sign_(), alpha: -learningRate);
        m.mul_(_beta2).add_(g, alpha: 1 - _beta2);
    }

    protected override void UpdateWindow(Tensor grad, Tensor[] slots, Tensor delta, double learningRate)
    {
        var m = slots[0];
        delta.copy_(m).mul_(_beta1).add_(grad, alpha: 1 - _beta1).sign_().mul_(-learningRate);
        m.mul_(_beta2).add_(grad, alpha: 1 - _beta2);
    }
}
