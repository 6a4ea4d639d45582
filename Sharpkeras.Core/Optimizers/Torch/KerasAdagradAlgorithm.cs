using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's Adagrad update as a torch optimizer: the accumulator starts at <c>initialAccumulatorValue</c>,
/// <c>a += g²</c>, <c>w -= lr·g/√(a + ε)</c>. (torch's Adagrad adds ε after the square root instead.)
/// </summary>
internal sealed class KerasAdagradAlgorithm : KerasTorchOptimizer
{
    private readonly double _initialAccumulatorValue, _epsilon;

    public KerasAdagradAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double initialAccumulatorValue, double epsilon)
        : base(learningRate, 1)
    {
        _initialAccumulatorValue = initialAccumulatorValue;
        _epsilon = epsilon;
        AddParameters(parameters);
    }

    protected override Tensor InitialSlot(int slot, Parameter parameter) => torch.full_like(parameter, _initialAccumulatorValue);

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        var accumulator = slots[0];
        accumulator.addcmul_(g, g, value: 1);
        parameter.addcdiv_(g, accumulator.add(_epsilon).sqrt_(), value: -learningRate);
    }

    protected override void UpdateWindow(Tensor grad, Tensor[] slots, Tensor delta, double learningRate)
    {
        slots[0].addcmul_(grad, grad, value: 1);
        delta.copy_(slots[0]).add_(_epsilon).rsqrt_().mul_(grad).mul_(-learningRate);
    }
}
