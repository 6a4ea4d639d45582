namespace Sharpkeras.Metrics;

/// <summary>Mean intersection-over-union over every class (Keras's <c>MeanIoU</c>): <see cref="IoU"/> with all classes as targets. Default name "mean_io_u" as in Keras.</summary>
public class MeanIoU : IoU
{
    /// <summary>Creates the metric.</summary>
    /// <param name="numClasses">Number of classes.</param>
    /// <param name="name">The metric's name.</param>
    /// <param name="ignoreClass">A label that is skipped, or null.</param>
    /// <param name="sparseYTrue">Labels are integers.</param>
    /// <param name="sparseYPred">Predictions are integers.</param>
    /// <param name="axis">The class axis of non-sparse inputs.</param>
    public MeanIoU(int numClasses, string name = "mean_io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true, int axis = -1)
        : base(numClasses, Enumerable.Range(0, Math.Max(numClasses, 1)).ToArray(), name, ignoreClass, sparseYTrue, sparseYPred, axis) { }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("target_class_ids");
        return c;
    }
}
