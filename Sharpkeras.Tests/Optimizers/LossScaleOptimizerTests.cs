using System.Reflection;
using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Optimizers;
using TorchSharp;
using OptimizerHelper = TorchSharp.Modules.OptimizerHelper;
using static Sharpkeras.Tests.Kit;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>
/// Keras's dynamic loss scaling (LossScaleOptimizer.cs): the loss is multiplied by the scale, the gradients divided by
/// it; a non-finite gradient skips the step and halves the scale; after <c>dynamicGrowthSteps</c> finite steps in a row
/// the scale doubles. Values worked by hand from Keras's rule (SGD: w ← w − lr·g).
/// </summary>
[NonParallelizable]
public class LossScaleOptimizerTests
{
    [TearDown]
    public void ResetPolicy() => Keras.Config.ResetDTypePolicy();

    /// <summary>One scalar weight; each step back-propagates the scaled loss w·g, as the trainer does.</summary>
    private sealed class Rig : IDisposable
    {
        private readonly Dense _dense;

        public Rig(LossScaleOptimizer optimizer, float w0)
        {
            Optimizer = optimizer;
            _dense = new Dense(1, useBias: false);
            _dense.Apply(torch.zeros(1, 1));
            _dense.SetWeights([T([w0], 1, 1)]);
            optimizer.Build(_dense.Variables);
        }

        public LossScaleOptimizer Optimizer { get; }

        public float W => _dense.Kernel.ToKerasLayout().item<float>();

        public float Scale => Optimizer.DynamicScale!.item<float>();

        public long Counter => Optimizer.StepCounter!.item<long>();

        public void Step(float g)
        {
            using var scope = torch.NewDisposeScope();
            Optimizer.ZeroGrad();
            var k = _dense.Kernel.Value;
            Optimizer.ScaleLoss((k * g).sum()).backward();
            Optimizer.Step();
        }

        public void Dispose() => Optimizer.Dispose();
    }

    [Test]
    public void ScaleHalvesAndTheStepIsSkippedOnNonFiniteGradients()
    {
        using var rig = new Rig(new LossScaleOptimizer(new SGD(learningRate: 0.1), initialScale: 8, dynamicGrowthSteps: 3), 1f);
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((8f, 0L)));
        rig.Step(0.5f);   // the gradient reaching SGD is 8·0.5 / 8 = 0.5: w = 1 − 0.1·0.5 = 0.95; counter 1
        Assert.That(rig.W, Is.EqualTo(0.95f).Within(1e-7));
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((8f, 1L)));
        rig.Step(float.PositiveInfinity); // skipped: w stays, scale 8/2 = 4, counter 0
        Assert.That(rig.W, Is.EqualTo(0.95f).Within(1e-7));
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((4f, 0L)));
        rig.Step(float.NaN);              // skipped: scale 2
        Assert.That(rig.W, Is.EqualTo(0.95f).Within(1e-7));
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((2f, 0L)));
        rig.Step(0.5f);                   // w = 0.95 − 0.05 = 0.9
        Assert.That(rig.W, Is.EqualTo(0.9f).Within(1e-7));
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((2f, 1L)));
    }

    [Test]
    public void ScaleDoublesAfterTheGrowthInterval()
    {
        using var rig = new Rig(new LossScaleOptimizer(new SGD(learningRate: 0.1), initialScale: 8, dynamicGrowthSteps: 2), 1f);
        // Keras: at a finite step, counter == interval − 1 → scale × 2, counter 0; else counter + 1.
        var expected = new (float scale, long counter)[] { (8, 1), (16, 0), (16, 1), (32, 0), (32, 1) };
        for (int i = 0; i < expected.Length; i++)
        {
            rig.Step(0.5f);
            Assert.That((rig.Scale, rig.Counter), Is.EqualTo(expected[i]), $"after step {i + 1}");
        }
        Assert.That(rig.W, Is.EqualTo(1f - 5 * 0.05f).Within(1e-6), "five unscaled steps of 0.1·0.5");
        rig.Step(float.PositiveInfinity); // an overflow resets the counter too
        Assert.That((rig.Scale, rig.Counter), Is.EqualTo((16f, 0L)));
    }

    [Test]
    public void ScaleLossUsesTheInitialScaleBeforeBuildThenTheDynamicOne()
    {
        using var opt = new LossScaleOptimizer(new SGD());
        Assert.That(opt.InitialScale, Is.EqualTo(32768.0), "Keras's default 2^15");
        Assert.That(opt.DynamicGrowthSteps, Is.EqualTo(2000));
        Assert.That(opt.ScaleLoss(torch.tensor(0.5f)).item<float>(), Is.EqualTo(16384f));
        using var rig = new Rig(new LossScaleOptimizer(new SGD(), initialScale: 4), 1f);
        rig.Step(float.PositiveInfinity);
        Assert.That(rig.Optimizer.ScaleLoss(torch.tensor(3f)).item<float>(), Is.EqualTo(6f), "3 × (4 / 2)");
    }

    [Test]
    public void ASkippedStepLeavesAdamsSlotsUntouched()
    {
        using var rig = new Rig(new LossScaleOptimizer(new Adam(learningRate: 0.001), initialScale: 1024), 1f);
        rig.Step(0.5f);
        float w1 = rig.W;
        // Keras's Adam, first step: m̂ = g, v̂ = g², w = 1 − 0.001·g/(|g| + 1e-7) ≈ 0.999
        Assert.That(w1, Is.EqualTo(0.999f).Within(1e-6));
        var before = Slots(rig.Optimizer);
        rig.Step(float.PositiveInfinity);
        Assert.That(rig.W, Is.EqualTo(w1));
        var after = Slots(rig.Optimizer);
        Assert.That(after.Keys, Is.EquivalentTo(before.Keys));
        foreach (var (name, value) in before) Assert.That(after[name], Is.EqualTo(value), name);
        Assert.That(before.Keys, Does.Contain("exp_avg").And.Contain("exp_avg_sq"));
    }

    private static Dictionary<string, float[]> Slots(Optimizer opt)
    {
        var result = new Dictionary<string, float[]>();
        foreach (var state in ((OptimizerHelper)opt.TorchOptimizer!).state_dict().State)
            foreach (var f in state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
                if (f.GetValue(state) is Tensor t && t.dtype == ScalarType.Float32)
                    result[f.Name] = t.detach().cpu().reshape(-1).data<float>().ToArray();
        return result;
    }

    [Test]
    public void LearningRateAndIterationsAreTheInnerOptimizers()
    {
        var inner = new SGD(learningRate: 0.1, lossScaleFactor: 4);
        using var rig = new Rig(new LossScaleOptimizer(inner, initialScale: 2), 1f);
        Assert.That(inner.LossScaleFactor, Is.Null, "Keras clears the inner optimizer's fixed loss scale");
        rig.Optimizer.LearningRate = 0.5;
        Assert.That(inner.LearningRate, Is.EqualTo(0.5));
        rig.Step(1f); // w = 1 − 0.5·1
        Assert.That(rig.W, Is.EqualTo(0.5f).Within(1e-7));
        Assert.That(rig.Optimizer.Iterations, Is.EqualTo(1));
        Assert.That(inner.Iterations, Is.EqualTo(1));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LossScaleOptimizer(new SGD(), initialScale: 0))!.ParamName, Is.EqualTo("initialScale"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LossScaleOptimizer(new SGD(), initialScale: double.PositiveInfinity));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LossScaleOptimizer(new SGD(), dynamicGrowthSteps: 0))!.ParamName, Is.EqualTo("dynamicGrowthSteps"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new LossScaleOptimizer(new LossScaleOptimizer(new SGD())))!.ParamName, Is.EqualTo("innerOptimizer"));
        Assert.Throws<ArgumentNullException>(() => _ = new LossScaleOptimizer(null!));
        Assert.Throws<InvalidOperationException>(() => new LossScaleOptimizer(new SGD()).Step());
    }

    [Test]
    public void CompileWrapsTheOptimizerUnderMixedFloat16Only()
    {
        Keras.Config.SetDTypePolicy("mixed_float16");
        var m = new Sequential(new Dense(1, inputShape: [2]));
        m.Compile(optimizer: "adam", loss: "mse");
        Assert.That(m.Optimizer, Is.TypeOf<LossScaleOptimizer>());
        Assert.That(((LossScaleOptimizer)m.Optimizer!).InnerOptimizer, Is.TypeOf<Adam>());
        Assert.That(m.Optimizer!.Name, Is.EqualTo("loss_scale_optimizer"));
        var given = new LossScaleOptimizer(new SGD(), initialScale: 16);
        m.Compile(optimizer: given, loss: "mse");
        Assert.That(m.Optimizer, Is.SameAs(given), "no second wrapper");
        m.Compile(optimizer: "adam", loss: "mse", autoScaleLoss: false);
        Assert.That(m.Optimizer, Is.TypeOf<Adam>());
        Keras.Config.SetDTypePolicy("mixed_bfloat16");
        var b = new Sequential(new Dense(1, inputShape: [2]));
        b.Compile(optimizer: "adam", loss: "mse");
        Assert.That(b.Optimizer, Is.TypeOf<Adam>(), "bfloat16 has float32's range: no loss scaling");
    }

    [Test]
    public void TrainsUnderMixedFloat16AndSavesItsScale([Values(".skeras", ".keras")] string ext)
    {
        Keras.Config.SetDTypePolicy("mixed_float16");
        Keras.Config.Seed(5);
        var x = torch.rand(64, 4);
        var y = x.matmul(T([1f, -2f, 0.5f, 1f], 4, 1));
        var m = new Sequential(new Dense(8, activation: "tanh", inputShape: [4]), new Dense(1, dtype: "float32"));
        m.Compile(optimizer: new LossScaleOptimizer(new Adam(learningRate: 0.01), dynamicGrowthSteps: 3), loss: "mse");
        var h = m.Fit(x, y, batchSize: 16, epochs: 6, verbose: 0);
        Assert.That(h["loss"][^1], Is.LessThan(h["loss"][0] * 0.5), $"loss {h["loss"][0]:F4} → {h["loss"][^1]:F4}");
        var opt = (LossScaleOptimizer)m.Optimizer!;
        float scale = opt.DynamicScale!.item<float>();
        Assert.That(float.IsFinite(scale) && scale > 0 && Math.Log2(scale) % 1 == 0, $"the scale stays a power of two ({scale})");
        var dir = Path.Combine(Path.GetTempPath(), "sharpkeras-lso-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "m" + ext);
            m.Save(path);
            var loaded = Model.Load(path);
            var lo = loaded.Optimizer as LossScaleOptimizer;
            Assert.That(lo, Is.Not.Null);
            Assert.That(lo!.InnerOptimizer, Is.TypeOf<Adam>());
            Assert.That(lo.InnerOptimizer.LearningRate, Is.EqualTo(0.01).Within(1e-9));
            Assert.That(lo.DynamicGrowthSteps, Is.EqualTo(3));
            if (ext == ".skeras")
            {
                Assert.That(lo.DynamicScale!.item<float>(), Is.EqualTo(scale), "the scale is saved with the optimizer state");
                Assert.That(lo.Iterations, Is.EqualTo(opt.Iterations));
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
