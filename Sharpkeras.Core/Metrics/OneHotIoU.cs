namespace Sharpkeras.Metrics;

/// <summary><see cref="IoU"/> for one-hot labels and score predictions (both arg-maxed along <c>axis</c>) (Keras's <c>OneHotIoU</c>). Default name "one_hot_io_u".</summary>
public sealed class OneHotIoU : IoU
{
    /// <summary>Creates the metric.</summary>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="targetClassIds">The classes averaged over.</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="ignoreClass">A label that is skipped, or null.</param>
    /// <param name="sparseYPred">Predictions are integers (default false: scores).</param>
    /// <param name="axis">The class axis.</param>
    public OneHotIoU(int numClasses, int[] targetClassIds, string name = "one_hot_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : base(numClasses, targetClassIds, name, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("sparse_y_true");
        return c;
    }
}
