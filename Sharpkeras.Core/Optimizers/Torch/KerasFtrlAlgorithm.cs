using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's FTRL-proximal update: accumulator n, linear z; with p = −lrPower,
/// n' = n + g², z += g + 2·l2s·w − (n'^p − n^p)/lr·w, w = (clip(z, −l1, l1) − z) / (n'^p/lr + 2·(l2 + β/(2·lr))).
/// </summary>
internal sealed class KerasFtrlAlgorithm : KerasTorchOptimizer
{
    private readonly double _lrPower, _initialAccumulator, _l1, _l2, _l2Shrinkage, _beta;

    public KerasFtrlAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double lrPower, double initialAccumulator,
        double l1, double l2, double l2Shrinkage, double beta) : base(learningRate, 2)
    {
        _lrPower = lrPower; _initialAccumulator = initialAccumulator; _l1 = l1; _l2 = l2; _l2Shrinkage = l2Shrinkage; _beta = beta;
        AddParameters(parameters);
    }

    protected override Tensor InitialSlot(int slot, Parameter parameter) =>
        slot == 0 ? torch.full_like(parameter, _initialAccumulator) : torch.zeros_like(parameter);

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        var accum = slots[0];
        var linear = slots[1];
        double l2 = _l2 + _beta / (2.0 * learningRate);
        var gradToUse = g + 2 * _l2Shrinkage * parameter;
        var newAccum = accum + g.square();
        linear.add_(gradToUse - (newAccum.pow(-_lrPower) - accum.pow(-_lrPower)) / learningRate * parameter);
        var quadratic = newAccum.pow(-_lrPower) / learningRate + 2 * l2;
        var clipped = linear.clamp(-_l1, _l1);
        parameter.copy_((clipped - linear) / quadratic);
        accum.copy_(newAccum);
    }
}
