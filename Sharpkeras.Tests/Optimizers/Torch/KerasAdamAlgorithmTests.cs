using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers;
using Sharpkeras.Optimizers.Torch;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers.Torch;

/// <summary>
/// Adam's flat-buffer update (windows, pieces, gradients attached to one buffer) against Keras's update rule worked
/// in float64 from its definition: m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂), v̂ ← max(v̂, v),
/// w ← w − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε).
/// </summary>
public class KerasAdamAlgorithmTests
{
    /// <summary>Keras's Adam on one weight vector, in float64.</summary>
    private sealed class Reference(double[] w, bool amsgrad, double lr = 0.001, double b1 = 0.9, double b2 = 0.999, double eps = 1e-7)
    {
        private readonly double[] _m = new double[w.Length], _v = new double[w.Length], _vh = new double[w.Length];
        private int _t;
        public double[] W { get; } = (double[])w.Clone();

        public void Step(float[] g)
        {
            _t++;
            double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, _t)) / (1 - Math.Pow(b1, _t));
            for (int i = 0; i < W.Length; i++)
            {
                _m[i] += (g[i] - _m[i]) * (1 - b1);
                _v[i] += ((double)g[i] * g[i] - _v[i]) * (1 - b2);
                _vh[i] = Math.Max(_vh[i], _v[i]);
                W[i] -= alpha * _m[i] / (Math.Sqrt(amsgrad ? _vh[i] : _v[i]) + eps);
            }
        }
    }

    private static float[] Values(int n, int seed, float scale) =>
        Enumerable.Range(0, n).Select(i => (float)(scale * Math.Sin(0.37 * i + seed) * (1 + (i % 7)))).ToArray();

    // 40,000 weights: more than one serial window, so the kernel is updated in two pieces; 300,000: one window (the
    // threaded path of larger models).
    [TestCase(40_000, false)]
    [TestCase(40_000, true)]
    [TestCase(300_000, false)]
    public void ThreeStepsMatchKerasFormula(int n, bool amsgrad)
    {
        var w0 = Values(n, 1, 0.5f);
        var b0 = Values(n, 2, 0.1f);
        using var rig = new OptimizerTestRig(new Adam(amsgrad: amsgrad), w0, b0);
        var refW = new Reference(w0.Select(x => (double)x).ToArray(), amsgrad);
        var refB = new Reference(b0.Select(x => (double)x).ToArray(), amsgrad);
        // Shrinking gradients: with AMSGrad the maximum of v then differs from v.
        foreach (var (seed, scale) in new[] { (3, 1f), (4, 0.1f), (5, 0.01f) })
        {
            var gw = Values(n, seed, scale);
            var gb = Values(n, seed + 10, scale);
            rig.Step(gw, gb);
            refW.Step(gw);
            refB.Step(gb);
        }
        var kernel = rig.Kernel;
        var bias = rig.Bias;
        // Float32 rounds the weight once per step (3 units in its last place) and each update (~1e-3) to about 1e-10.
        static double Misfit(float actual, double expected)
        {
            float e = MathF.Abs((float)expected);
            return Math.Abs(actual - expected) / (3 * (MathF.BitIncrement(e) - e) + 1e-9);
        }
        double worst = 0;
        for (int i = 0; i < n; i++)
            worst = Math.Max(worst, Math.Max(Misfit(kernel[i], refW.W[i]), Misfit(bias[i], refB.W[i])));
        Assert.That(worst, Is.LessThanOrEqualTo(1), $"largest difference from Keras's formula over {2 * n} weights, relative to the float32 tolerance");
        Assert.That(kernel[0], Is.Not.EqualTo(w0[0]), "the weights moved");
    }

    private static KerasAdamAlgorithm.State[] States(Optimizer opt) =>
        ((KerasAdamAlgorithm)opt.TorchOptimizer!).state_dict().State.Cast<KerasAdamAlgorithm.State>().ToArray();

    [Test]
    public void BackwardPassesAccumulateIntoTheAttachedGradients()
    {
        // Two backward passes after one ZeroGrad: the step sees g1 + g2, as with torch's zero_grad().
        using var rig = new OptimizerTestRig(new Adam(), [1f, 1f, 1f]);
        using (var scope = torch.NewDisposeScope())
        {
            rig.Optimizer.ZeroGrad();
            var k = rig.Variables[0].Value;
            (k * torch.tensor(new[] { 0.25f, -0.5f, 1f }).reshape(k.shape)).sum().backward();
            (k * torch.tensor(new[] { 0.25f, 0.5f, 1f }).reshape(k.shape)).sum().backward();
            rig.Optimizer.Step();
        }
        var expected = new Reference([1, 1, 1], amsgrad: false);
        expected.Step([0.5f, 0f, 2f]);
        Assert.That(rig.Kernel, Is.EqualTo(expected.W.Select(x => (float)x).ToArray()).Within(1e-7));
        Assert.That(rig.Kernel[1], Is.EqualTo(1f), "a zero gradient moves nothing on the first step (m = 0)");
    }

    [Test]
    public void GradientAssignedByHandAfterZeroGradIsTheOneApplied()
    {
        // A custom train step may replace .grad outright; the step must read it, not the (zeroed) flat buffer.
        using var rig = new OptimizerTestRig(new Adam(), [1f, -1f]);
        rig.Optimizer.ZeroGrad();
        var p = rig.Variables[0].Value;
        p.grad = torch.tensor(new[] { 0.5f, -2f }).reshape(p.shape);
        using (torch.NewDisposeScope()) rig.Optimizer.Step();
        var expected = new Reference([1, -1], amsgrad: false);
        expected.Step([0.5f, -2f]);
        Assert.That(rig.Kernel, Is.EqualTo(expected.W.Select(x => (float)x).ToArray()).Within(1e-7));
    }

    [Test]
    public void WeightWithoutGradientIsLeftAlone()
    {
        // Keras skips a variable whose gradient is None: its value, moments and step count stay as they were.
        using var rig = new OptimizerTestRig(new Adam(), [1f, 2f], [3f, 4f]);
        using (var scope = torch.NewDisposeScope())
        {
            var k = rig.Variables[0].Value;
            (k * torch.tensor(new[] { 1f, 1f }).reshape(k.shape)).sum().backward(); // the bias is not reached: no gradient
            rig.Optimizer.Step();
        }
        Assert.That(rig.Bias, Is.EqualTo(new[] { 3f, 4f }));
        var states = States(rig.Optimizer);
        Assert.That(states[0].step, Is.EqualTo(1));
        Assert.That(states[1].step, Is.EqualTo(0));
        Assert.That(states[1].exp_avg!.abs().sum().item<float>(), Is.EqualTo(0f));
        Assert.That(rig.Kernel[0], Is.LessThan(1f));
    }

    [Test]
    public void MomentsAreViewsOfTheFlatBuffersAndSurviveALoad()
    {
        // Saving reads and loading writes each weight's exp_avg in place; the next step must use what was loaded.
        using var rig = new OptimizerTestRig(new Adam(), [0f, 0f]);
        var state = States(rig.Optimizer).Single();
        using (torch.no_grad())
        {
            state.exp_avg!.copy_(torch.tensor(new[] { 1f, -1f }).reshape(state.exp_avg.shape));
            state.exp_avg_sq!.copy_(torch.tensor(new[] { 4f, 4f }).reshape(state.exp_avg_sq.shape));
        }
        state.step = 9; // the next step is t = 10
        rig.Step([0f, 0f]);
        // m = 0.9·(±1) = ±0.9, v = 0.999·4 = 3.996, α = 0.001·√(1 − 0.999¹⁰)/(1 − 0.9¹⁰), w = ∓α·0.9/(√3.996 + 1e-7)
        double alpha = 0.001 * Math.Sqrt(1 - Math.Pow(0.999, 10)) / (1 - Math.Pow(0.9, 10));
        double delta = alpha * 0.9 / (Math.Sqrt(3.996) + 1e-7);
        Assert.That(rig.Kernel[0], Is.EqualTo(-delta).Within(1e-9));
        Assert.That(rig.Kernel[1], Is.EqualTo(delta).Within(1e-9));
        Assert.That(state.step, Is.EqualTo(10));
    }
}

public class KerasAdamAlgorithmLayoutTests
{
    [Test]
    public void NonContiguousWeightLongerThanAWindowIsUpdatedInPlace()
    {
        // A transposed 300×200 weight (60,000 elements, not contiguous) cannot be stepped through a flat view; the
        // optimizer updates it weight by weight, with the same formula: first step w -= lr·g/(|g| + ε/√(1−β₂)).
        using var p = new Parameter(torch.ones(300, 200).t());
        Assert.That(p.is_contiguous(), Is.False);
        using var opt = new KerasAdamAlgorithm([p], 0.001, 0.9, 0.999, 1e-7, amsgrad: false);
        opt.zero_grad();
        using (var scope = torch.NewDisposeScope())
        {
            (p * 0.5f).sum().backward();
            opt.step();
        }
        // m = 0.05, √v = √0.00025, α = 0.001·√0.001/0.1: Δ = α·0.05/(√0.00025 + 1e-7)
        double delta = 0.001 * Math.Sqrt(0.001) / 0.1 * 0.05 / (Math.Sqrt(0.00025) + 1e-7);
        Assert.That(p.min().item<float>(), Is.EqualTo(1 - delta).Within(1e-7));
        Assert.That(p.max().item<float>(), Is.EqualTo(1 - delta).Within(1e-7));
    }
}
