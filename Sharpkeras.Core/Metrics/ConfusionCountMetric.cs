using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Metrics;

/// <summary>
/// Base of <see cref="TruePositives"/>, <see cref="TrueNegatives"/>, <see cref="FalsePositives"/> and <see cref="FalseNegatives"/>:
/// one weighted count per threshold (a prediction is positive when strictly above it; labels are positive when non-zero).
/// With one threshold (default 0.5) the result is a scalar, with a list it has one value per threshold.
/// </summary>
public abstract class ConfusionCountMetric : Metric
{
    private readonly int _acc;
    private readonly double[] _thresholds;
    private readonly bool _single;

    /// <summary>Creates the metric.</summary>
    /// <param name="thresholds">Thresholds in [0, 1] (null: 0.5).</param>
    /// <param name="single">Whether a single threshold was given as a number (the result is then a scalar).</param>
    /// <param name="name">The metric's name.</param>
    private protected ConfusionCountMetric(double[]? thresholds, bool single, string name) : base(name)
    {
        _thresholds = thresholds ?? [0.5];
        if (_thresholds.Length == 0) throw new ArgumentException("thresholds must hold at least one value.", nameof(thresholds));
        foreach (var t in _thresholds)
            if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(thresholds), t, $"Threshold values must be in [0, 1]. Received: {t}");
        _single = single || thresholds is null;
        InitThresholds = thresholds;
        _acc = AddState("accumulator", [_thresholds.Length]);
    }

    /// <summary>The thresholds given (null: the default 0.5).</summary>
    public double[]? InitThresholds { get; }

    /// <summary>Picks the count this metric accumulates.</summary>
    private protected abstract Tensor Pick((Tensor tp, Tensor fp, Tensor tn, Tensor fn) counts);

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        using var _ = torch.no_grad();
        var counts = ConfusionChecks.Counts(yTrue, yPred, sampleWeight, _thresholds, null, null, Name);
        var v = Pick(counts);
        State(_acc, v.device).add_(v);
    }

    /// <inheritdoc />
    public override Tensor Result()
    {
        var a = StateOrNull(_acc) ?? torch.zeros(_thresholds.Length);
        return _single ? a.reshape([]).clone() : a.clone();
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = _single && InitThresholds is { Length: 1 } t ? t[0] : InitThresholds;
        return c;
    }
}
