using Sharpkeras.Metrics;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// The metrics given to <c>Compile</c> (Keras's <c>CompileMetrics</c>), built on their first batch because
/// "accuracy" resolves from the shapes of the labels and predictions; with several outputs each metric is
/// made per output and named "output_metric". Independent of the loss: a <c>ComputeLoss</c> override does not
/// change the metrics.
/// </summary>
public sealed class CompileMetrics
{
    private readonly object[] _specs;
    private readonly IReadOnlyList<string> _outputNames;
    private List<Metric>[]? _perOutput;

    /// <summary>Checks the metric specifications now; the metric objects are made on first use.</summary>
    /// <param name="metrics">Aliases ("accuracy", "mae", …) or <see cref="Metric"/> objects.</param>
    /// <param name="outputNames">The names of the model's outputs, in order.</param>
    public CompileMetrics(IEnumerable<object>? metrics, IReadOnlyList<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        _specs = (metrics ?? []).ToArray();
        _outputNames = outputNames;
        foreach (var s in _specs)
        {
            if (s is null) throw new ArgumentException("metrics must not contain null.", nameof(metrics));
            if (s is string str && str != "accuracy" && str != "acc") _ = Metric.Get(str); // validate the alias now
            else if (s is not string && s is not Metric) throw new ArgumentException($"Cannot interpret metric '{s}' ({s.GetType().Name}).", nameof(metrics));
        }
        if (outputNames.Count > 1 && _specs.Any(s => s is Metric))
            throw new ArgumentException(
                "A metric object can serve only one output; pass aliases, or compile one metric object per output.", nameof(metrics));
    }

    /// <summary>Whether the metric objects exist (after the first batch).</summary>
    public bool Built => _perOutput != null;

    /// <summary>The metric objects, per output in order (empty before the first batch).</summary>
    public IEnumerable<Metric> Metrics => _perOutput?.SelectMany(l => l) ?? [];

    /// <summary>Accumulates one batch into every metric (Keras's <c>update_state</c>): builds them first if needed.</summary>
    /// <param name="y">The targets, one per output.</param>
    /// <param name="yPred">The predictions, one per output (with their masks attached).</param>
    /// <param name="sampleWeight">Optional per-sample weights.</param>
    public void UpdateState(Tensor[] y, Tensor[] yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(yPred);
        Build(y, yPred);
        for (int o = 0; o < yPred.Length; o++)
        {
            var p = _perOutput![o].Count > 0 ? CompileLoss.ForLoss(yPred[o]) : yPred[o]; // metrics in float32, as Keras
            foreach (var m in _perOutput[o]) m.UpdateState(y[o], p, sampleWeight);
        }
    }

    private void Build(Tensor[] y, Tensor[] yPred)
    {
        if (_perOutput != null) return;
        var result = new List<Metric>[yPred.Length];
        bool multi = yPred.Length > 1;
        for (int o = 0; o < yPred.Length; o++)
        {
            result[o] = new List<Metric>();
            foreach (var spec in _specs)
            {
                Metric m = spec switch
                {
                    string s when s is "accuracy" or "acc" => Metric.ResolveAccuracy(s, y[o].shape, yPred[o].shape),
                    Metric given => given,
                    _ => Metric.Get(spec),
                };
                if (multi) m.Name = $"{_outputNames[o]}_{m.Name}";
                result[o].Add(m);
            }
        }
        _perOutput = result;
    }

    /// <summary>Clears every metric's state.</summary>
    public void ResetState()
    {
        foreach (var m in Metrics) m.ResetState();
    }
}
