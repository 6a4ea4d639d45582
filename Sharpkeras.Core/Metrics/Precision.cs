namespace Sharpkeras.Metrics;

/// <summary>
/// Precision, <c>TP / (TP + FP)</c>, accumulated over batches (Keras's <c>Precision</c>). A prediction is positive when it is
/// above <c>thresholds</c> (default 0.5); with <c>topK</c> only the k highest scores of a row can be positive (default
/// threshold then -∞); with <c>classId</c> only that column is scored. Labels are positive when non-zero. With a list of
/// thresholds the result has one value per threshold.
/// </summary>
public sealed class Precision : PrecisionRecallBase
{
    /// <summary>Creates the metric with one threshold (result: a scalar).</summary>
    /// <param name="thresholds">The decision threshold in [0, 1] (null: 0.5, or -∞ with <paramref name="topK"/>).</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    public Precision(double? thresholds = null, int? topK = null, int? classId = null, string name = "precision")
        : base(thresholds, topK, classId, name, falsePositives: true) { }

    /// <summary>Creates the metric with a list of thresholds (result: one value per threshold).</summary>
    /// <param name="thresholds">Decision thresholds in [0, 1].</param>
    /// <param name="topK">Only the k highest predictions of each row count as positive.</param>
    /// <param name="classId">Score only this class (column of the predictions).</param>
    /// <param name="name">The metric's name.</param>
    public Precision(double[] thresholds, int? topK = null, int? classId = null, string name = "precision")
        : base(thresholds, topK, classId, name, falsePositives: true) { }
}
