using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's Lamb: Adam moments m, v with bias correction, update u = m̂ / (√v̂ + ε), and a layer-wise trust ratio
/// ‖w‖/‖u‖ (1 when either norm is 0): w −= ratio·lr·u.
/// </summary>
internal sealed class KerasLambAlgorithm : KerasTorchOptimizer
{
    private readonly double _beta1, _beta2, _epsilon;

    public KerasLambAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon) : base(learningRate, 2)
    {
        _beta1 = beta1; _beta2 = beta2; _epsilon = epsilon;
        AddParameters(parameters);
    }

    protected override Tensor InitialSlot(int slot, Parameter parameter) => torch.zeros_like(parameter);

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        var m = slots[0];
        var v = slots[1];
        m.add_((g - m) * (1 - _beta1));
        v.add_((g.square() - v) * (1 - _beta2));
        double b1p = Math.Pow(_beta1, step), b2p = Math.Pow(_beta2, step);
        var update = (m / (1 - b1p)) / ((v / (1 - b2p)).sqrt() + _epsilon);
        var wNorm = parameter.square().sum().sqrt();
        var gNorm = update.square().sum().sqrt();
        var one = torch.ones_like(wNorm);
        var ratio = torch.where(wNorm.gt(0), torch.where(gNorm.gt(0), wNorm / torch.where(gNorm.gt(0), gNorm, one), one), one);
        parameter.sub_(ratio * learningRate * update);
    }
}
