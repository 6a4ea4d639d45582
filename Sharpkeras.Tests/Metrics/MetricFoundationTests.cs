using NUnit.Framework;
using Sharpkeras.Metrics;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.Core;

/// <summary>Stateful metrics over several batches, against hand-computed values.</summary>
public class MetricFoundationTests
{
    [Test]
    public void RegressionMetricsAccumulate()
    {
        var mae = Metric.Get("mae");
        var mse = Metric.Get("mse");
        var rmse = Metric.Get("rmse");
        foreach (var m in new[] { mae, mse, rmse })
        {
            m.UpdateState(T(0, 0).reshape(2, 1), T(1, 3).reshape(2, 1));   // errors 1, 3
            m.UpdateState(T(0).reshape(1, 1), T(-2).reshape(1, 1));        // error 2
        }
        Assert.That(mae.Name, Is.EqualTo("mae"));
        Assert.That(mae.Result().item<float>(), Is.EqualTo(2f).Within(1e-6));              // (1+3+2)/3
        Assert.That(mse.Result().item<float>(), Is.EqualTo(14f / 3).Within(1e-5));         // (1+9+4)/3
        Assert.That(rmse.Result().item<float>(), Is.EqualTo(Math.Sqrt(14.0 / 3)).Within(1e-5));
        mae.ResetState();
        Assert.That(mae.Result().item<float>(), Is.EqualTo(0f));
    }

    [Test]
    public void PrecisionRecallAuc()
    {
        var yTrue = T(0, 0, 1, 1);
        var yPred = T(0.1f, 0.4f, 0.35f, 0.8f);
        var p = new Precision();
        var r = new Recall();
        var auc = new AUC(numThresholds: 3);
        foreach (var m in new Metric[] { p, r, auc }) m.UpdateState(yTrue, yPred);
        // threshold 0.5: TP 1 (0.8), FP 0, FN 1 (0.35)
        Assert.That(p.Result().item<float>(), Is.EqualTo(1f));
        Assert.That(r.Result().item<float>(), Is.EqualTo(0.5f));
        // thresholds -1e-7, 0.5, 1+1e-7: (fpr, recall) = (1, 1), (0, 0.5), (0, 0); trapezoids: 1 * (1 + 0.5)/2 + 0 = 0.75
        Assert.That(auc.Result().item<float>(), Is.EqualTo(0.75f).Within(1e-6));
        var full = new AUC();
        full.UpdateState(yTrue, yPred);
        // with 200 thresholds the ROC AUC is the exact rank statistic: 3 of 4 positive/negative pairs ordered right
        Assert.That(full.Result().item<float>(), Is.EqualTo(0.75f).Within(1e-6));
    }

    [Test]
    public void TopKAccuracy()
    {
        var pred = T(0.1f, 0.5f, 0.4f, 0.7f, 0.2f, 0.1f).reshape(2, 3);
        var sparse = new SparseTopKCategoricalAccuracy(k: 2);
        sparse.UpdateState(torch.tensor(new long[] { 2, 2 }), pred);
        // sample 0 top-2 = {1, 2} contains 2; sample 1 top-2 = {0, 1} does not
        Assert.That(sparse.Result().item<float>(), Is.EqualTo(0.5f));
        var cat = new TopKCategoricalAccuracy(k: 1);
        cat.UpdateState(T(0, 1, 0, 1, 0, 0).reshape(2, 3), pred);
        Assert.That(cat.Result().item<float>(), Is.EqualTo(1f));
    }

    [Test]
    public void MetricsInCompileLogUnderTheirAliases()
    {
        var model = new Sequential(new Layers.Dense(1, activation: "sigmoid", inputShape: [2]));
        model.Compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["accuracy", "precision", "recall", "auc", "mse"]);
        var h = model.Fit(torch.randn(16, 2), torch.randint(0, 2, [16, 1]).to(ScalarType.Float32), epochs: 1, verbose: 0);
        Assert.That(h.Keys, Is.SupersetOf(new[] { "loss", "accuracy", "precision", "recall", "auc", "mse", "learning_rate" }));
    }
}
