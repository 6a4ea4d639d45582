using System.Collections;
using Sharpkeras.Callbacks;

namespace Sharpkeras;

/// <summary>
/// The record of a <c>Fit</c> run (Keras's <c>History</c>): metric name → one value per epoch,
/// plus <see cref="Epoch"/> (epoch indices) and <see cref="Callback.Params"/>.
/// </summary>
public sealed class History : Callback, IReadOnlyDictionary<string, List<double>>
{
    private readonly Dictionary<string, List<double>> _history = new();

    /// <summary>The epoch indices recorded (0-based).</summary>
    public List<int> Epoch { get; } = new();

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs) { }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        Epoch.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!_history.TryGetValue(k, out var list)) _history[k] = list = new List<double>();
            list.Add(v);
        }
    }

    /// <summary>The whole record.</summary>
    public IReadOnlyDictionary<string, List<double>> HistoryDict => _history;

    /// <inheritdoc />
    public List<double> this[string key] => _history.TryGetValue(key, out var l) ? l
        : throw new KeyNotFoundException($"History has no '{key}'. Recorded: {string.Join(", ", _history.Keys)}.");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _history.Keys;
    /// <inheritdoc />
    public IEnumerable<List<double>> Values => _history.Values;
    /// <inheritdoc />
    public int Count => _history.Count;
    /// <inheritdoc />
    public bool ContainsKey(string key) => _history.ContainsKey(key);
    /// <inheritdoc />
    public bool TryGetValue(string key, out List<double> value) => _history.TryGetValue(key, out value!);
    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, List<double>>> GetEnumerator() => _history.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
