using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>How often the arg-max prediction equals the arg-max of the one-hot label (Keras's <c>CategoricalAccuracy</c>).</summary>
public sealed class CategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The metric's name.</param>
    public CategoricalAccuracy(string name = "categorical_accuracy") : base(Fn, name, "up") { }

    private static Tensor Fn(Tensor yTrue, Tensor yPred) => Metrics.CategoricalAccuracy(yTrue, yPred);
}
