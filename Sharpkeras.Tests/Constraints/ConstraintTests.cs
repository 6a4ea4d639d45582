using NUnit.Framework;
using Sharpkeras.Constraints;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.Saving.SavingTestUtil;

namespace Sharpkeras.Tests.ConstraintTests;

/// <summary>The four Keras constraints against their definitions, applied in Keras's weight layout.</summary>
public class ConstraintTests
{
    // A Keras-layout (inputDim 3, units 2) kernel: column 0 has norm 5, column 1 norm sqrt(0.03) ≈ 0.1732.
    private static torch.Tensor Kernel() => T([3f, 0.1f, 4f, 0.1f, 0f, 0.1f], 3, 2);
    private const double SmallNorm = 0.17320508075688773;

    [SetUp]
    public void Setup() => Keras.ClearSession();

    [Test]
    public void MaxNormOnADenseKernelLimitsEachUnitsIncomingWeightsAsKerasDoes()
    {
        // Keras: MaxNorm(axis=0) on the (inputDim, units) kernel bounds each unit's column. The kernel is stored
        // (units, inputDim) in torch layout, so the optimizer must apply the constraint in Keras's layout.
        var dense = new Dense(2, useBias: false, kernelConstraint: new MaxNorm(1.0));
        var model = new Sequential(Keras.Input([3]), dense);
        dense.Kernel.Assign(Kernel());
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.0), loss: "mse");
        model.TrainOnBatch(torch.ones(1, 3), torch.zeros(1, 2));
        // Column 0 scaled by 1 / 5; column 1 (norm < 1) unchanged.
        AssertClose(dense.Kernel.ToKerasLayout(), [0.6, 0.1, 0.8, 0.1, 0, 0.1], 1e-6, "kernel");
    }

    [Test]
    public void MaxNormOnAConvKernelNormsOverTheKerasAxesGiven()
    {
        // Conv1D kernel in Keras layout (k=2, in=1, out=2); axes [0, 1] give one norm per filter.
        var conv = new Conv1D(2, 2, useBias: false, kernelConstraint: new MaxNorm(1.0, [0, 1]));
        var model = new Sequential(Keras.Input([4, 1]), conv);
        conv.Kernel.Assign(T([3f, 0.5f, 4f, 0.5f], 2, 1, 2));
        model.Compile(optimizer: new Sharpkeras.Optimizers.SGD(learningRate: 0.0), loss: "mse");
        model.TrainOnBatch(torch.ones(1, 4, 1), torch.zeros(1, 3, 2));
        AssertClose(conv.Kernel.ToKerasLayout(), [0.6, 0.5, 0.8, 0.5], 1e-6, "filter 0 scaled to norm 1, filter 1 (norm 0.707) kept");
    }

    [Test]
    public void MinMaxNormMovesNormsIntoTheRangeAtTheGivenRate()
    {
        // rate 1: column 0 (norm 5) → 1, column 1 (norm 0.1732) → 0.5.
        double up = 0.1 * 0.5 / SmallNorm;
        AssertClose(new MinMaxNorm(0.5, 1.0).Call(Kernel()), [0.6, up, 0.8, up, 0, up], 1e-6, "rate 1");
        // rate 0.5: desired = 0.5·clip(n) + 0.5·n → column 0: 3 (factor 0.6), column 1: 0.5·0.5 + 0.5·0.1732.
        double half = 0.1 * (0.25 + 0.5 * SmallNorm) / SmallNorm;
        AssertClose(new MinMaxNorm(0.5, 1.0, rate: 0.5).Call(Kernel()), [1.8, half, 2.4, half, 0, half], 1e-6, "rate 0.5");
    }

    [Test]
    public void UnitNormAndNonNeg()
    {
        double u = 0.1 / SmallNorm;
        AssertClose(new UnitNorm().Call(Kernel()), [0.6, u, 0.8, u, 0, u], 1e-6, "unit norm per column");
        AssertClose(new UnitNorm([1]).Call(T([3f, 4f], 1, 2)), [0.6, 0.8], 1e-6, "unit norm over axis 1");
        AssertClose(new NonNeg().Call(T(-1f, 0f, 2.5f)), [0, 0, 2.5], 0, "non_neg");
    }

    [Test]
    public void AliasesConfigsAndBadArguments()
    {
        Assert.That(Constraint.Get("min_max_norm"), Is.InstanceOf<MinMaxNorm>());
        Assert.That(Constraint.Get("max_norm"), Is.InstanceOf<MaxNorm>());
        var e = Assert.Throws<ArgumentException>(() => Constraint.Get("maxnorm"))!;
        Assert.That(e.Message, Does.Contain("max_norm, min_max_norm, non_neg, unit_norm"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxNorm(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxNorm(2.0, 1.0));
        Assert.Throws<ArgumentException>(() => new UnitNorm([]));
        Assert.Throws<ArgumentException>(() => new MaxNorm(1, [3]).Call(Kernel()));
        Assert.That(new MinMaxNorm(0.1, 2, 0.5, [0, 1]).GetConfig(), Is.EquivalentTo(new Dictionary<string, object?>
        {
            ["min_value"] = 0.1, ["max_value"] = 2.0, ["rate"] = 0.5, ["axis"] = new long[] { 0, 1 },
        }));
    }

    [Test]
    public void AKerasConfigWithAnIntegerAxisLoads()
    {
        var dir = TempDir();
        try
        {
            var model = new Sequential(Keras.Input([3]), new Dense(2, kernelConstraint: new MinMaxNorm(0.0, 1.5, 1.0, [0])));
            var path = Path.Combine(dir, "m.keras");
            model.Save(path);
            // Keras writes axis=0 as a plain integer.
            var edited = EditConfigJson(path, "int-axis.keras",
                json => System.Text.RegularExpressions.Regex.Replace(json, "\"axis\": ?\\[\\s*0\\s*\\]", "\"axis\": 0"));
            var loaded = (Dense)Model.Load(edited).Layers[^1];
            Assert.That(loaded.KernelConstraint!.GetConfig()["axis"], Is.EqualTo(new long[] { 0 }));
            Assert.That(loaded.KernelConstraint.GetConfig()["max_value"], Is.EqualTo(1.5));
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
