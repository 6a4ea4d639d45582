using System.Collections;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// Batch logs that stay on the device until somebody reads them: the first read copies every value
/// to the host (one synchronisation), later reads use the copy. Writes go to the host copy.
/// </summary>
internal sealed class LazyLogs : IDictionary<string, double>
{
    private Func<IReadOnlyDictionary<string, Tensor>>? _source;
    private Func<Dictionary<string, double>>? _hostSource;
    private Dictionary<string, double>? _values;

    public LazyLogs(Func<IReadOnlyDictionary<string, Tensor>>? source) => _source = source;

    public LazyLogs(Func<Dictionary<string, double>> hostSource) => _hostSource = hostSource;

    /// <summary>Whether the values were read (i.e. a synchronisation happened).</summary>
    public bool Materialized => _values != null;

    private Dictionary<string, double> Values()
    {
        if (_values != null) return _values;
        if (_hostSource != null)
        {
            _values = _hostSource();
            _hostSource = null;
            return _values;
        }
        _values = new Dictionary<string, double>();
        if (_source != null)
        {
            var src = _source();
            if (src.Count > 0)
            {
                var keys = src.Keys.ToArray();
                using var stacked = stack(keys.Select(k => src[k].detach().to(ScalarType.Float64).reshape(-1)[0]).ToArray()).cpu();
                var arr = stacked.data<double>().ToArray();
                for (int i = 0; i < keys.Length; i++) _values[keys[i]] = arr[i];
            }
        }
        _source = null;
        return _values;
    }

    public double this[string key] { get => Values()[key]; set => Values()[key] = value; }
    public ICollection<string> Keys => Values().Keys;
    ICollection<double> IDictionary<string, double>.Values => Values().Values;
    public int Count => Values().Count;
    public bool IsReadOnly => false;
    public void Add(string key, double value) => Values().Add(key, value);
    public void Add(KeyValuePair<string, double> item) => Values().Add(item.Key, item.Value);
    public void Clear() => Values().Clear();
    public bool Contains(KeyValuePair<string, double> item) => ((ICollection<KeyValuePair<string, double>>)Values()).Contains(item);
    public bool ContainsKey(string key) => Values().ContainsKey(key);
    public void CopyTo(KeyValuePair<string, double>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, double>>)Values()).CopyTo(array, arrayIndex);
    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => Values().GetEnumerator();
    public bool Remove(string key) => Values().Remove(key);
    public bool Remove(KeyValuePair<string, double> item) => ((ICollection<KeyValuePair<string, double>>)Values()).Remove(item);
    public bool TryGetValue(string key, out double value) => Values().TryGetValue(key, out value);
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
