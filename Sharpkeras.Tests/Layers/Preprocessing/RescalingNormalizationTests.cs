using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static Sharpkeras.Tests.Kit;
using static Sharpkeras.Tests.LayersPreprocessing.PreprocessingTestUtil;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersPreprocessing;

public class RescalingNormalizationTests
{
    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    [Test]
    public void RescalingByOneOver255()
    {
        var layer = new Rescaling(1.0 / 255);
        var x = torch.tensor(new byte[] { 0, 255, 51, 102 }).reshape(2, 2);   // uint8 input is cast to float
        var y = layer.Apply(x);
        Assert.That(y.dtype, Is.EqualTo(ScalarType.Float32));
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(Vals(y), Is.EqualTo(new[] { 0f, 1f, 0.2f, 0.4f }).Within(1e-6));   // 51/255 = 0.2, 102/255 = 0.4
        Assert.That(Vals(layer.Apply(x, training: true)), Is.EqualTo(Vals(y)));
    }

    [Test]
    public void RescalingWithOffsetMapsToMinusOneOne()
    {
        var y = new Rescaling(1.0 / 127.5, offset: -1).Apply(T([0f, 127.5f, 255f], 1, 3));
        Assert.That(Vals(y), Is.EqualTo(new[] { -1f, 0f, 1f }).Within(1e-6));
        Assert.That(new Rescaling(2).ComputeOutputShape([null, 4, 5]), Is.EqualTo(new int?[] { null, 4, 5 }));
        Assert.That(() => new Rescaling(double.NaN), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("scale"));
    }

    [Test]
    public void AdaptOnOneToFourWithAxisNone()
    {
        var layer = new Normalization(axis: null);
        layer.Adapt(torch.tensor(new float[] { 1, 2, 3, 4 }));
        // mean = (1+2+3+4)/4 = 2.5; variance = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25
        Assert.That(Vals(layer.Mean!.Value), Is.EqualTo(new[] { 2.5f }));
        Assert.That(Vals(layer.Variance!.Value), Is.EqualTo(new[] { 1.25f }).Within(1e-6));
        var y = layer.Apply(torch.tensor(new float[] { 1, 2, 3, 4 }));
        double s = Math.Sqrt(1.25);
        Assert.That(Vals(y), Is.EqualTo(new[] { -1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s }).Within(1e-5));
    }

    [Test]
    public void AdaptPerFeatureWithDefaultAxis()
    {
        var layer = new Normalization();
        layer.Adapt(T([1f, 2f, 3f, 4f], 4, 1));
        Assert.That(Vals(layer.Mean!.Value), Is.EqualTo(new[] { 2.5f }));
        Assert.That(Vals(layer.Variance!.Value), Is.EqualTo(new[] { 1.25f }).Within(1e-6));

        var two = new Normalization();
        // feature 0: [1, 3] -> mean 2, var 1; feature 1: [10, 30] -> mean 20, var 100
        two.Adapt(T([1f, 10f, 3f, 30f], 2, 2));
        Assert.That(Vals(two.Mean!.Value), Is.EqualTo(new[] { 2f, 20f }));
        Assert.That(Vals(two.Variance!.Value), Is.EqualTo(new[] { 1f, 100f }));
        Assert.That(Vals(two.Apply(T([1f, 10f, 3f, 30f, 4f, 25f], 3, 2))), Is.EqualTo(new[] { -1f, -1f, 1f, 1f, 2f, 0.5f }).Within(1e-6));
        // Keras weights: mean, variance, count — all non-trainable; 2 + 2 + 1 params.
        Assert.That(two.CountParams(), Is.EqualTo(5));
        Assert.That(two.TrainableWeights, Is.Empty);
        Assert.That(two.NonTrainableWeights.Select(v => v.Name), Is.EqualTo(new[] { "mean", "variance", "count" }));
        Assert.That(two.Count!.Value.item<long>(), Is.EqualTo(2));
    }

    [Test]
    public void AdaptOnBatchesEqualsAdaptOnAll()
    {
        var data = torch.randn(10, 3, generator: new Generator(4)) * 5 + 2;
        var whole = new Normalization();
        whole.Adapt(data);
        var batched = new Normalization();
        batched.Adapt(new[] { data[..4], data[4..7], data[7..] });
        Assert.That(Vals(batched.Mean!.Value), Is.EqualTo(Vals(whole.Mean!.Value)).Within(1e-5));
        Assert.That(Vals(batched.Variance!.Value), Is.EqualTo(Vals(whole.Variance!.Value)).Within(1e-4));
        // Check against the definition (population variance).
        var mean = data.mean([0]);
        var variance = (data - mean).square().mean([0]);
        Assert.That(Vals(whole.Variance!.Value), Is.EqualTo(Vals(variance)).Within(1e-4));
    }

    [Test]
    public void InvertAndGivenStatistics()
    {
        var layer = new Normalization(mean: [2.0, 20.0], variance: [1.0, 100.0]);
        var y = layer.Apply(T([1f, 10f, 3f, 30f], 2, 2));
        Assert.That(Vals(y), Is.EqualTo(new[] { -1f, -1f, 1f, 1f }).Within(1e-6));
        Assert.That(layer.CountParams(), Is.EqualTo(0), "given statistics are constants, not weights (like Keras)");
        var inv = new Normalization(mean: [2.0, 20.0], variance: [1.0, 100.0], invert: true);
        Assert.That(Vals(inv.Apply(y)), Is.EqualTo(new[] { 1f, 10f, 3f, 30f }).Within(1e-5));
        // Scalar statistics broadcast over the features; variance 0 divides by epsilon (1e-7), not 0.
        var scalar = new Normalization(mean: [1.0], variance: [0.0]);
        Assert.That(Vals(scalar.Apply(T([1f, 1f], 1, 2))), Is.EqualTo(new[] { 0f, 0f }));
    }

    [Test]
    public void InSequentialAfterAdapt()
    {
        Keras.Config.Seed(1);
        var norm = new Normalization(inputShape: [2]);
        var model = new Sequential(norm, new Dense(1));
        var x = T([1f, 10f, 3f, 30f], 2, 2);
        Assert.That(() => model.Predict(x, verbose: 0), Throws.InvalidOperationException.With.Message.Contains(norm.Name));
        norm.Adapt(x);
        model.Compile(optimizer: "sgd", loss: "mse");
        var h = model.Fit(x, T([0f, 1f], 2, 1), epochs: 2, verbose: 0);
        Assert.That(h["loss"].All(double.IsFinite));
    }

    [Test]
    public void NormalizationBadUse()
    {
        Assert.That(() => new Normalization().Apply(T([1f, 2f], 1, 2)), Throws.InvalidOperationException.With.Message.Contains("Adapt"));
        Assert.That(() => new Normalization(mean: [1.0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("variance"));
        Assert.That(() => new Normalization(mean: [1.0, 2.0], variance: [1.0]), Throws.ArgumentException);
        Assert.That(() => new Normalization(mean: [1.0], variance: [-1.0]), Throws.ArgumentException.With.Property("ParamName").EqualTo("variance"));
        var layer = new Normalization(name: "norm_x");
        layer.Adapt(T([1f, 2f, 3f, 4f], 2, 2));
        var meanBefore = Vals(layer.Mean!.Value);
        Assert.That(() => layer.Adapt(T([1f, 2f, 3f], 1, 3)), Throws.ArgumentException.With.Message.Contains("norm_x").And.Message.Contains("(1, 3)"));
        Assert.That(Vals(layer.Mean!.Value), Is.EqualTo(meanBefore), "a failed Adapt leaves the statistics unchanged");
        Assert.That(() => layer.Apply(T([1f, 2f, 3f], 1, 3)), Throws.ArgumentException.With.Message.Contains("norm_x"));
        Assert.That(() => new Normalization(axis: 3).Adapt(T([1f, 2f], 1, 2)), Throws.ArgumentException.With.Message.Contains("axis"));
        Assert.That(() => new Normalization(mean: [1.0], variance: [1.0]).Adapt(T([1f], 1, 1)), Throws.InvalidOperationException);
    }
}
