using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Tests.LayersRecurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>Weight specs write their initializer, regularizer and constraint into the layers' configs, so they survive Save/Load.</summary>
public class WeightSpecTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        Keras.ClearSession();
        Keras.Config.Seed(8);
        _dir = Path.Combine(Path.GetTempPath(), "sk_weightspec_" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void SpecWritesAliasesRecordsAndNulls()
    {
        var spec = new WeightSpec("kernel", null, new Sharpkeras.Regularizers.L1L2(0.001, 0.002), new Sharpkeras.Constraints.MaxNorm(1.5), "glorot_uniform");
        var c = new Dictionary<string, object?>();
        spec.WriteConfig(c);
        Assert.That(c["kernel_initializer"], Is.EqualTo("glorot_uniform"));
        var reg = (Dictionary<string, object?>)c["kernel_regularizer"]!;
        Assert.That(reg["class_name"], Is.EqualTo("L1L2"));
        Assert.That((Dictionary<string, object?>)reg["config"]!, Is.EquivalentTo(new Dictionary<string, object?> { ["l1"] = 0.001, ["l2"] = 0.002 }));
        var con = (Dictionary<string, object?>)c["kernel_constraint"]!;
        Assert.That(con["class_name"], Is.EqualTo("MaxNorm"));
        Assert.That(((Dictionary<string, object?>)con["config"]!)["max_value"], Is.EqualTo(1.5));
        var none = new Dictionary<string, object?>();
        new WeightSpec("bias", "zeros", null, "non_neg", "zeros").WriteConfig(none);
        Assert.That(none["bias_regularizer"], Is.Null);
        Assert.That(none["bias_constraint"], Is.EqualTo("non_neg"));
        var e = Assert.Throws<ArgumentException>(() => new WeightSpec("recurrent", "nope", null, null, "orthogonal"))!;
        Assert.That(e.ParamName, Is.EqualTo("recurrentInitializer"));
    }

    [Test]
    public void DenseConvRecurrentAndEmbeddingKeepRegularizersAndConstraintsThroughSaveAndLoad()
    {
        var inputs = Keras.Input([6]);
        var e = new Embedding(20, 4, embeddingsRegularizer: new Sharpkeras.Regularizers.L2(0.004), embeddingsConstraint: new Sharpkeras.Constraints.UnitNorm([1L]))
            .Apply(inputs);
        var r = new LSTM(5, returnSequences: true, kernelRegularizer: new Sharpkeras.Regularizers.L1(0.002),
            recurrentConstraint: new Sharpkeras.Constraints.MaxNorm(2.5), biasConstraint: "non_neg").Apply(e);
        var g = new RNN(new GRUCell(3, recurrentRegularizer: new Sharpkeras.Regularizers.L2(0.05), kernelConstraint: "max_norm"), returnSequences: true).Apply(r);
        var c = new Conv1D(4, 3, kernelRegularizer: new Sharpkeras.Regularizers.L1L2(0.01, 0.02), biasConstraint: new Sharpkeras.Constraints.MaxNorm(0.5)).Apply(g);
        var s = new SeparableConv1D(2, 2, pointwiseRegularizer: new Sharpkeras.Regularizers.L2(0.3), depthwiseConstraint: "unit_norm").Apply(c);
        var f = new Flatten().Apply(s);
        var y = new Dense(1, kernelRegularizer: new Sharpkeras.Regularizers.L2(0.003), kernelConstraint: new Sharpkeras.Constraints.MaxNorm(1.5),
            biasRegularizer: "l1", activityRegularizer: new Sharpkeras.Regularizers.L1(0.1)).Apply(f);
        var model = new Model(inputs, y);
        var path = Path.Combine(_dir, "specs.skeras");
        model.Save(path);
        var loaded = Model.Load(path);
        var x = torch.randint(0, 20, [3, 6], dtype: ScalarType.Int64);
        Assert.That(torch.allclose(loaded.Predict(x, verbose: 0), model.Predict(x, verbose: 0), 1e-5, 1e-6), Is.True);
        Assert.That(loaded.RegularizationLoss()!.item<float>(), Is.EqualTo(model.RegularizationLoss()!.item<float>()).Within(1e-6));
        foreach (var (a, b) in model.Layers.Zip(loaded.Layers))
        {
            var ca = a.GetConfig().Where(kv => kv.Key != "name").ToDictionary();
            var cb = b.GetConfig().Where(kv => kv.Key != "name").ToDictionary();
            Assert.That(Json(cb), Is.EqualTo(Json(ca)), $"config of {a.GetType().Name}");
        }
        var dense = loaded.Layers.OfType<Dense>().Single();
        Assert.That(dense.KernelRegularizer, Is.InstanceOf<Sharpkeras.Regularizers.L2>());
        Assert.That(((Sharpkeras.Regularizers.L2)dense.KernelRegularizer!).Factor, Is.EqualTo(0.003));
        Assert.That(dense.KernelConstraint!.GetConfig()["max_value"], Is.EqualTo(1.5));
        var lstm = loaded.Layers.OfType<LSTM>().Single();
        Assert.That(lstm.RecurrentConstraint!.GetConfig()["max_value"], Is.EqualTo(2.5));
        Assert.That(lstm.BiasConstraint, Is.InstanceOf<Sharpkeras.Constraints.NonNeg>());
        var gru = (GRUCell)loaded.Layers.OfType<RNN>().Single(l => l is not LSTM).Cell;
        Assert.That(gru.RecurrentSpec.Regularizer, Is.InstanceOf<Sharpkeras.Regularizers.L2>());
        Assert.That(gru.KernelSpec.Constraint, Is.InstanceOf<Sharpkeras.Constraints.MaxNorm>());
    }

    [Test]
    public void RnnWithStackedAndCustomCellsRoundTripsThroughSaveAndLoad()
    {
        var model = new Sequential(
            new RNN(new StackedRNNCells([new LSTMCell(4, dropout: 0.1, seed: 3), new MinimalTanhCell(3)]), returnSequences: true, inputShape: [5, 2]),
            new RNN(new SimpleRNNCell(2, activation: "relu"), goBackwards: true));
        var x = torch.randn(2, 5, 2);
        var path = Path.Combine(_dir, "rnn.skeras");
        model.Save(path);
        var loaded = Model.Load(path, customObjects: new Dictionary<string, Type> { ["MinimalTanhCell"] = typeof(MinimalTanhCell) });
        Assert.That(torch.allclose(loaded.Predict(x, verbose: 0), model.Predict(x, verbose: 0), 1e-5, 1e-6), Is.True);
        var stacked = (StackedRNNCells)((RNN)loaded.Layers[0]).Cell;
        Assert.That(stacked.Cells.Select(c => c.GetType()), Is.EqualTo(new[] { typeof(LSTMCell), typeof(MinimalTanhCell) }));
        Assert.That(((LSTMCell)stacked.Cells[0]).Dropout, Is.EqualTo(0.1));
        Assert.That(((RNN)loaded.Layers[1]).GoBackwards, Is.True);
    }

    private static string Json(Dictionary<string, object?> config)
    {
        var ms = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(ms)) Sharpkeras.Saving.ConfigWriter.WriteValue(w, config, "test");
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
