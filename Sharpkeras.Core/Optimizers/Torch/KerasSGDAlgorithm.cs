using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>Keras's SGD: w −= lr·g, or with momentum m ← μ·m − lr·g and w += m (Nesterov: w += μ·m − lr·g).</summary>
internal sealed class KerasSGDAlgorithm : KerasTorchOptimizer
{
    private readonly double _momentum;
    private readonly bool _nesterov;

    public KerasSGDAlgorithm(IEnumerable<Parameter> parameters, double learningRate, double momentum, bool nesterov)
        : base(learningRate, momentum != 0 ? 1 : 0)
    {
        _momentum = momentum;
        _nesterov = nesterov;
        AddParameters(parameters);
    }

    protected override Tensor InitialSlot(int slot, Parameter parameter) => torch.zeros_like(parameter);

    private protected override SlotState CreateState(Parameter parameter) => new MomentumState(parameter, this);

    /// <summary>The velocity is saved as "momentum_buffer" (torch's name for SGD's one slot).</summary>
    private sealed class MomentumState(Parameter parameter, KerasTorchOptimizer owner) : SlotState(parameter, owner)
    {
        public Tensor? momentum_buffer;

        public override Tensor Get(int i) => momentum_buffer!;

        public override void Set(int i, Tensor? value) => momentum_buffer = value;
    }

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        if (_momentum == 0)
        {
            parameter.add_(g, alpha: -learningRate);
            return;
        }
        var m = slots[0];
        m.mul_(_momentum).add_(g, alpha: -learningRate);
        if (_nesterov) parameter.add_(m, alpha: _momentum).add_(g, alpha: -learningRate);
        else parameter.add_(m);
    }

    protected override void UpdateWindow(Tensor grad, Tensor[] slots, Tensor delta, double learningRate)
    {
        if (_momentum == 0)
        {
            delta.copy_(grad).mul_(-learningRate);
            return;
        }
        var m = slots[0];
        m.mul_(_momentum).add_(grad, alpha: -learningRate);
        if (_nesterov) delta.copy_(m).mul_(_momentum).add_(grad, alpha: -learningRate);
        else delta.copy_(m);
    }
}
