namespace Sharpkeras.Metrics;

/// <summary><see cref="MeanIoU"/> for one-hot labels and score predictions (Keras's <c>OneHotMeanIoU</c>). Default name "one_hot_mean_io_u".</summary>
public sealed class OneHotMeanIoU : MeanIoU
{
    /// <summary>Creates the metric.</summary>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="ignoreClass">A label that is skipped, or null.</param>
    /// <param name="sparseYPred">Predictions are integers (default false: scores).</param>
    /// <param name="axis">The class axis.</param>
    public OneHotMeanIoU(int numClasses, string name = "one_hot_mean_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : base(numClasses, name, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("sparse_y_true");
        return c;
    }
}
