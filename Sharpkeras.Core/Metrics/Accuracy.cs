using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>How often predictions equal labels, element-wise (Keras's <c>Accuracy</c>). Compiling with "accuracy" picks the binary,
/// categorical or sparse variant from the shapes instead, as Keras does.</summary>
public sealed class Accuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public Accuracy(string name = "accuracy") : base(Fn, name, "up") { }

    private static Tensor Fn(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = MetricUtils.Prepare(yTrue, yPred);
        return t.eq(p).to(ScalarType.Float32);
    }
}
