namespace Sharpkeras.Metrics;

/// <summary>F1 score: <see cref="FBetaScore"/> with β = 1 (Keras's <c>F1Score</c>). String alias: "f1_score".</summary>
public sealed class F1Score : FBetaScore
{
    /// <summary>Creates the metric.</summary>
    /// <param name="average">null, "micro", "macro" or "weighted".</param>
    /// <param name="threshold">Decision threshold in (0, 1], or null for "the row's maximum".</param>
    /// <param name="name">The metric's name.</param>
    public F1Score(string? average = null, double? threshold = null, string name = "f1_score") : base(average, 1.0, threshold, name) { }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("beta");
        return c;
    }
}
