using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// Keras's Adafactor (Shazeer &amp; Stern 2018): factored second moments r (rows) and c (columns) for weights of rank ≥ 2,
/// a full one for the others; β₂ₜ = 1 − t^decay; ρₜ = min(lr, 1/√t); αₜ = max(ε₂, RMS(w))·ρₜ; update g/√v clipped by
/// RMS/clipThreshold. With <c>relativeStep</c> and a constant learning rate, lr is first capped at 1/√t.
/// The factoring is over the last two axes of the weight in Keras's layout (e.g. a Conv2D kernel's (in, out) axes of
/// (kh, kw, in, out)), as Keras does, whatever layout the weight is stored in: r and c are kept in Keras's layout, and the
/// gradient is permuted to it for their update.
/// </summary>
internal sealed class KerasAdafactorAlgorithm : KerasTorchOptimizer
{
    private readonly double _beta2Decay, _epsilon1, _epsilon2, _clipThreshold;
    private readonly bool _relativeStep;

    private readonly Dictionary<Parameter, (long[] ToKeras, long[] ToTorch)> _layouts = new(ReferenceEqualityComparer.Instance);

    /// <param name="parameters">The weights.</param>
    /// <param name="torchToKeras">Per weight, the permutation from its stored layout to Keras's (null when it is Keras's).</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <param name="beta2Decay">Keras's <c>beta_2_decay</c>.</param>
    /// <param name="epsilon1">Keras's <c>epsilon_1</c>.</param>
    /// <param name="epsilon2">Keras's <c>epsilon_2</c>.</param>
    /// <param name="clipThreshold">Keras's <c>clip_threshold</c>.</param>
    /// <param name="relativeStep">Keras's <c>relative_step</c> (with a constant learning rate).</param>
    public KerasAdafactorAlgorithm(IList<Parameter> parameters, IReadOnlyList<int[]?> torchToKeras, double learningRate, double beta2Decay, double epsilon1, double epsilon2,
        double clipThreshold, bool relativeStep) : base(learningRate, 3)
    {
        _beta2Decay = beta2Decay; _epsilon1 = epsilon1; _epsilon2 = epsilon2; _clipThreshold = clipThreshold; _relativeStep = relativeStep;
        for (int i = 0; i < parameters.Count; i++)
            if (torchToKeras[i] is int[] p)
            {
                var toTorch = new long[p.Length];
                for (int k = 0; k < p.Length; k++) toTorch[p[k]] = k;
                _layouts[parameters[i]] = (p.Select(x => (long)x).ToArray(), toTorch);
            }
        AddParameters(parameters);
    }

    private long[] KerasShape(Parameter parameter) =>
        _layouts.TryGetValue(parameter, out var l) ? l.ToKeras.Select(a => parameter.shape[a]).ToArray() : parameter.shape;

    protected override Tensor InitialSlot(int slot, Parameter parameter)
    {
        long[] shape = KerasShape(parameter);
        if (slot == 2 || shape.Length < 2) return slot == 2 ? torch.zeros_like(parameter) : torch.zeros([], dtype: parameter.dtype, device: parameter.device);
        return slot == 0
            ? torch.zeros(shape[..^1], dtype: parameter.dtype, device: parameter.device)
            : torch.zeros([.. shape[..^2], shape[^1]], dtype: parameter.dtype, device: parameter.device);
    }

    private static Tensor Rms(Tensor x) => x.square().mean().sqrt();

    protected override void Update(Parameter parameter, Tensor grad, Tensor[] slots, double learningRate, long step)
    {
        var g = grad.dtype == parameter.dtype ? grad : grad.to(parameter.dtype);
        double t = step;
        double lr = _relativeStep ? Math.Min(learningRate, 1 / Math.Sqrt(t)) : learningRate;
        var (r, c, v) = (slots[0], slots[1], slots[2]);
        double rho = Math.Min(lr, 1 / Math.Sqrt(t));
        var alpha = Rms(parameter).clamp_min(_epsilon2) * rho;
        var reg = g.square() + _epsilon1;
        double beta2t = 1 - Math.Pow(t, _beta2Decay);
        if (parameter.dim() >= 2)
        {
            bool permuted = _layouts.TryGetValue(parameter, out var layout);
            var regK = permuted ? reg.permute(layout.ToKeras) : reg;
            r.mul_(beta2t).add_(regK.mean([-1L]), alpha: 1 - beta2t);
            c.mul_(beta2t).add_(regK.mean([-2L]), alpha: 1 - beta2t);
            var vK = (r / r.mean([-1L], keepdim: true)).unsqueeze(-1) * c.unsqueeze(-2);
            v.copy_(permuted ? vK.permute(layout.ToTorch) : vK);
        }
        else v.mul_(beta2t).add_(reg, alpha: 1 - beta2t);
        var u = g / v.sqrt();
        var uHat = u / (Rms(u) / _clipThreshold).clamp_min(1.0);
        parameter.sub_(alpha * uHat);
    }
}
