using System.Collections;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// The logs of the default train/test step: metric name → <c>Result()</c>, computed only when read. The trainer
/// keeps the view itself (the metrics' state persists across steps), so a step that nobody logs costs no
/// result computation at all.
/// </summary>
internal sealed class MetricResultsView : IReadOnlyDictionary<string, Tensor>
{
    private readonly List<Metrics.Metric> _metrics;

    public MetricResultsView(List<Metrics.Metric> metrics) => _metrics = metrics;

    public IReadOnlyList<Metrics.Metric> Metrics => _metrics;

    public Tensor this[string key] => (_metrics.FirstOrDefault(m => m.Name == key) ?? throw new KeyNotFoundException(key)).Result();
    public IEnumerable<string> Keys => _metrics.Select(m => m.Name);
    public IEnumerable<Tensor> Values => _metrics.Select(m => m.Result());
    public int Count => _metrics.Count;
    public bool ContainsKey(string key) => _metrics.Any(m => m.Name == key);

    public bool TryGetValue(string key, out Tensor value)
    {
        var m = _metrics.FirstOrDefault(x => x.Name == key);
        value = m?.Result()!;
        return m != null;
    }

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() =>
        _metrics.Select(m => new KeyValuePair<string, Tensor>(m.Name, m.Result())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
