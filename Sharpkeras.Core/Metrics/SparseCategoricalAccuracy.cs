using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>How often the arg-max prediction equals the integer label (Keras's <c>SparseCategoricalAccuracy</c>).</summary>
public sealed class SparseCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : base(Fn, name, "up") { }

    private static Tensor Fn(Tensor yTrue, Tensor yPred) => Metrics.SparseCategoricalAccuracy(yTrue, yPred);
}
