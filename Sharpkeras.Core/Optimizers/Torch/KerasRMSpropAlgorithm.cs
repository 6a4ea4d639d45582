using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's RMSprop update as a torch optimizer: <c>v = ρv + (1-ρ)g²</c>; centered: <c>ḡ = ρḡ + (1-ρ)g</c>,
/// <c>d = v - ḡ² + ε</c>, else <c>d = v + ε</c>; <c>Δ = lr·g/√d</c>; with momentum <c>m = μm + Δ</c>, <c>w -= m</c>,
/// else <c>w -= Δ</c>. (torch's RMSprop adds ε after the square root instead.)
/// </summary>
internal sealed class KerasRMSpropAlgorithm : KerasTorchOptimizer
{
    private readonly double _rho, _momentum, _epsilon;
    private readonly bool _centered;

    public KerasRMSpropAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double rho, double momentum, double epsilon, bool centered)
        : base(learningRate, 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0))
    {
        _rho = rho; _momentum = momentum; _epsilon = epsilon; _centered = centered;
        AddParameters(parameters);
    }

    // Slots: [velocity, momentum (if momentum > 0), average gradient (if centered)], all starting at zero.
    protected override Tensor InitialSlot(int slot, Parameter parameter) => torch.zeros_like(parameter);

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        var velocity = slots[0];
        velocity.mul_(_rho).addcmul_(g, g, value: 1 - _rho);
        Tensor denominator;
        if (_centered)
        {
            var averageGrad = slots[^1];
            averageGrad.mul_(_rho).add_(g, alpha: 1 - _rho);
            denominator = velocity.addcmul(averageGrad, averageGrad, value: -1).add_(_epsilon);
        }
        else denominator = velocity.add(_epsilon);
        var increment = g.mul(learningRate).div_(denominator.sqrt_());
        if (_momentum > 0)
        {
            var momentum = slots[1];
            momentum.mul_(_momentum).add_(increment);
            parameter.sub_(momentum);
        }
        else parameter.sub_(increment);
    }

    // √d as 1/rsqrt(d): sqrt goes parallel above 2,048 elements in libtorch (an OpenMP wake-up per call), rsqrt does not.
    protected override void UpdateWindow(Tensor grad, Tensor[] slots, Tensor delta, double learningRate)
    {
        var velocity = slots[0];
        velocity.mul_(_rho).addcmul_(grad, grad, value: 1 - _rho);
        delta.copy_(velocity);
        if (_centered)
        {
            var averageGrad = slots[^1];
            averageGrad.mul_(_rho).add_(grad, alpha: 1 - _rho);
            delta.addcmul_(averageGrad, averageGrad, value: -1);
        }
        delta.add_(_epsilon).rsqrt_().mul_(grad).mul_(learningRate); // the increment lr·g/√d
        if (_momentum > 0)
        {
            var momentum = slots[1];
            momentum.mul_(_momentum).add_(delta);
            delta.copy_(momentum);
        }
        delta.neg_();
    }
}
