using Sharpkeras.Layers;
using Sharpkeras.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>
/// Real weights (a Dense layer's kernel and optional bias, on the CPU) and a real optimizer; each step back-propagates
/// <c>sum(w · g)</c> so that the gradient of every weight is exactly the given <c>g</c>.
/// </summary>
internal sealed class OptimizerTestRig : IDisposable
{
    private readonly Dense _dense;

    public OptimizerTestRig(Optimizer optimizer, float[] kernel, float[]? bias = null)
    {
        Optimizer = optimizer;
        _dense = new Dense(kernel.Length, useBias: bias != null);
        _dense.Apply(torch.zeros(1, 1, device: Keras.Config.Device));
        var weights = new List<Tensor> { torch.tensor(kernel).reshape(1, kernel.Length) };
        if (bias != null) weights.Add(torch.tensor(bias));
        _dense.SetWeights(weights);
        optimizer.Build(_dense.Variables);
    }

    public Optimizer Optimizer { get; }

    /// <summary>The kernel, then the bias when there is one.</summary>
    public IReadOnlyList<KerasVariable> Variables => _dense.Variables;

    public float[] Kernel => _dense.Variables[0].ToKerasLayout().reshape(-1).data<float>().ToArray();

    public float[] Bias => _dense.Variables[1].ToKerasLayout().reshape(-1).data<float>().ToArray();

    /// <summary>One optimizer step with these gradients (kernel, then bias).</summary>
    public void Step(float[] kernelGrad, float[]? biasGrad = null)
    {
        using var scope = torch.NewDisposeScope();
        Optimizer.ZeroGrad();
        var k = _dense.Variables[0].Value;
        var loss = (k * torch.tensor(kernelGrad, device: k.device).reshape(k.shape)).sum();
        if (biasGrad != null)
        {
            var b = _dense.Variables[1].Value;
            loss = loss + (b * torch.tensor(biasGrad, device: b.device).reshape(b.shape)).sum();
        }
        loss.backward();
        Optimizer.Step();
    }

    /// <summary>A single scalar weight w0 and one step with gradient g; returns the new weight.</summary>
    public static float OneStep(Optimizer optimizer, float w0, float g)
    {
        using var rig = new OptimizerTestRig(optimizer, [w0]);
        rig.Step([g]);
        return rig.Kernel[0];
    }

    public void Dispose() => Optimizer.Dispose();
}
