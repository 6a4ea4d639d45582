using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.Optimizers;

/// <summary>
/// The optimizer state beyond torch's (EMA averages, gradient accumulators) survives a save, and Adafactor factors over the
/// last two axes of a weight in Keras's layout.
/// </summary>
public class OptimizerStateSavingTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 3;


    private static Sequential ConvModel() => new(
        new Conv2D(2, kernelSize: 2, inputShape: [3, 3, 1]),
        new Flatten(),
        new Dense(1));

    [Test]
    public void EmaAveragesAndGradientAccumulatorsRoundTrip()
    {
        var model = ConvModel();
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.05, momentum: 0.9, useEma: true, emaMomentum: 0.5, gradientAccumulationSteps: 2), loss: "mse");
        var x = torch.randn(6, 3, 3, 1);
        var y = torch.randn(6, 1);
        // 3 steps: the accumulators hold the third step's gradients, the averages differ from the weights.
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        var opt = model.Optimizer!;
        var extras = opt.ExtraState().ToList();
        Assert.That(extras.Select(e => e.Name), Is.EqualTo(new[] { "average", "gradient_accumulator" }));
        Assert.That(extras[1].Values.Any(t => t!.abs().sum().item<float>() > 0), Is.True, "a pending accumulation");

        // The saved entries are named per weight and laid out as Keras lays out the weight (conv kernel (2, 2, 1, 2)).
        var saved = OptimizerStateStore.Collect(opt, model, "");
        var kernelAverage = saved.Single(e => e.Name.EndsWith("/average", StringComparison.Ordinal) && e.Value.dim() == 4);
        Assert.That(kernelAverage.Value.shape, Is.EqualTo(new long[] { 2, 2, 1, 2 }));
        Assert.That(saved.Count(e => e.Name.EndsWith("/gradient_accumulator", StringComparison.Ordinal)), Is.EqualTo(4));

        var path = Path.Combine(Dir, "ema.skeras");
        model.Save(path);
        var loaded = Model.Load(path);
        var loadedExtras = loaded.Optimizer!.ExtraState().ToList();
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < extras[k].Values.Count; i++)
                Assert.That(BitEqual(loadedExtras[k].Values[i]!, extras[k].Values[i]!), Is.True, $"{extras[k].Name} {i}");

        // Training on continues identically.
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        AssertWeightsBitEqual(model.GetWeights(), loaded.GetWeights());
    }

    [Test]
    public void AdafactorFactorsTheKerasLayoutOfAConvKernel()
    {
        // A 1×1 conv kernel (1, 1, 2, 3) in Keras's layout factors over (in = 2, out = 3), exactly as a Dense kernel (2, 3) does;
        // torch's stored layout (3, 2, 1, 1) would factor over the two 1-sized axes instead.
        var conv = new Conv2D(3, kernelSize: 1, useBias: false);
        conv.Apply(torch.zeros(1, 1, 1, 2));
        var dense = new Dense(3, useBias: false);
        dense.Apply(torch.zeros(1, 2));
        var w = torch.tensor(new float[] { 0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f }).reshape(2, 3);
        conv.SetWeights([w.reshape(1, 1, 2, 3)]);
        dense.SetWeights([w]);
        var optConv = new Sharpkeras.Optimizers.Adafactor(learningRate: 0.1);
        var optDense = new Sharpkeras.Optimizers.Adafactor(learningRate: 0.1);
        optConv.Build(conv.Variables);
        optDense.Build(dense.Variables);
        var kernel = conv.Variables[0];
        Assert.That(kernel.KerasToTorchPermutation, Is.Not.Null, "the conv kernel is stored in torch's layout");
        float[][] grads = [[0.1f, -2f, 0.3f, 1f, 0.5f, -0.2f], [-0.4f, 0.6f, 1.2f, -0.1f, 0.05f, 0.9f]];
        foreach (var gv in grads)
        {
            using var scope = torch.NewDisposeScope();
            var g = torch.tensor(gv).reshape(2, 3);
            optConv.ZeroGrad();
            var gTorch = g.reshape(1, 1, 2, 3).permute(kernel.KerasToTorchPermutation!.Select(a => (long)a).ToArray());
            (kernel.Value * gTorch).sum().backward();
            optConv.Step();
            optDense.ZeroGrad();
            (dense.Variables[0].Value * g).sum().backward();
            optDense.Step();
        }
        var convKeras = kernel.ToKerasLayout().reshape(2, 3);
        var denseKernel = dense.Variables[0].ToKerasLayout();
        Assert.That(convKeras.sub(denseKernel).abs().max().item<float>(), Is.LessThan(1e-6f));
        Assert.That(convKeras.sub(w).abs().max().item<float>(), Is.GreaterThan(1e-3f), "the weights moved");
        var state = (Sharpkeras.Optimizers.Torch.KerasTorchOptimizer.SlotState)((TorchSharp.Modules.OptimizerHelper)optConv.TorchOptimizer!).state_dict().State[0];
        Assert.That(state.slot_0!.shape, Is.EqualTo(new long[] { 1, 1, 2 }), "r: the Keras shape without its last axis");
        Assert.That(state.slot_1!.shape, Is.EqualTo(new long[] { 1, 1, 3 }), "c: the Keras shape without its second-to-last axis");
        optConv.Dispose();
        optDense.Dispose();
    }
}
