using Sharpkeras.Losses;
using Sharpkeras.Metrics;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>What <c>Compile</c> resolved: the optimizer, one loss per output with weights, and metrics per output.</summary>
internal sealed class CompileState
{
    public required Optimizers.Optimizer Optimizer { get; init; }
    public required Loss?[] Losses { get; init; }
    public required double[] LossWeights { get; init; }
    public required object[] MetricSpecs { get; init; }
    public required IReadOnlyList<string> OutputNames { get; init; }

    /// <summary>Running mean of the total loss, weighted by batch size ("loss").</summary>
    public Mean LossTracker { get; } = new("loss");

    /// <summary>Per-output loss trackers when there are several outputs ("dense_1_loss").</summary>
    public Mean[]? OutputLossTrackers { get; set; }

    /// <summary>Metrics per output, resolved on the first batch (accuracy depends on the shapes).</summary>
    public List<Metric>[]? Metrics { get; set; }

    public IEnumerable<Metric> AllMetrics()
    {
        yield return LossTracker;
        if (OutputLossTrackers != null) foreach (var m in OutputLossTrackers) yield return m;
        if (Metrics != null) foreach (var l in Metrics) foreach (var m in l) yield return m;
    }

    public void ResetMetrics()
    {
        foreach (var m in AllMetrics()) m.ResetState();
    }

    /// <summary>Resolves the metric specs for each output from the first batch's shapes.</summary>
    public void EnsureMetrics(Tensor[] y, Tensor[] yPred)
    {
        if (Metrics != null) return;
        var result = new List<Metric>[yPred.Length];
        bool multi = yPred.Length > 1;
        for (int o = 0; o < yPred.Length; o++)
        {
            result[o] = new List<Metric>();
            foreach (var spec in MetricSpecs)
            {
                Metric m;
                if (spec is string s && (s == "accuracy" || s == "acc"))
                {
                    m = Metric.ResolveAccuracy(s, y[o].shape, yPred[o].shape);
                    // Sparse labels against a Dense(1) sigmoid output: still binary accuracy.
                }
                else if (spec is Metric given)
                {
                    if (multi && o > 0) throw new ArgumentException(
                        "A metric object can serve only one output; pass aliases, or compile one metric object per output.");
                    m = given;
                }
                else m = Metric.Get(spec);
                if (multi) m.Name = $"{OutputNames[o]}_{m.Name}";
                result[o].Add(m);
            }
        }
        Metrics = result;
        if (multi) OutputLossTrackers = OutputNames.Select(n => new Mean($"{n}_loss")).ToArray();
    }
}
