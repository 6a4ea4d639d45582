using System.Text;

namespace Sharpkeras.Callbacks;

/// <summary>
/// Streams epoch results to a CSV file (Keras's <c>keras.callbacks.CSVLogger</c>): columns "epoch" then the log keys
/// sorted (when the first epoch has no "val_*" keys, a "val_" column is added for every key, as Keras does), values as
/// Python prints them, "NA" for a missing value, rows ending in "\r\n" (Python's csv "excel" dialect).
/// Every row is written by replacing the whole file atomically (write to a temporary file, then rename), so a crash
/// never leaves a half-written row.
/// </summary>
public sealed class CSVLogger : Callback
{
    private StringBuilder? _content;
    private List<string>? _keys;
    private bool _appendHeader = true;

    /// <summary>Creates the callback.</summary>
    /// <param name="filename">The CSV file.</param>
    /// <param name="separator">The field separator (one character, default ",").</param>
    /// <param name="append">Append to an existing file instead of overwriting it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filename);
        if (separator is null || separator.Length != 1 || separator[0] is '"' or '\r' or '\n')
            throw new ArgumentException($"separator must be one character other than a quote or a line break; got \"{separator}\".", nameof(separator));
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Filename { get; }
    /// <summary>The field separator.</summary>
    public string Separator { get; }
    /// <summary>Whether rows are appended to an existing file.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _keys = null;
        if (Append && File.Exists(Filename))
        {
            string existing = File.ReadAllText(Filename);
            _appendHeader = existing.Length == 0 || existing.StartsWith('\n') || existing.StartsWith("\r\n", StringComparison.Ordinal);
            _content = new StringBuilder(existing);
        }
        else
        {
            _appendHeader = true;
            _content = new StringBuilder();
            Commit();
        }
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_content == null) OnTrainBegin(new Dictionary<string, double>());
        logs ??= new Dictionary<string, double>();
        if (_keys == null)
        {
            _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (_keys.Count > 0 && !_keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal)))
                _keys.AddRange(_keys.Select(k => "val_" + k).ToList());
            if (_appendHeader)
            {
                _content!.Append(Row(["epoch", .. _keys]));
                _appendHeader = false;
            }
        }
        var row = new List<string> { epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var k in _keys) row.Add(logs.TryGetValue(k, out double v) ? PythonFormat.Float(v) : "NA");
        _content!.Append(Row(row));
        Commit();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _content = null;
        _keys = null;
    }

    private string Row(IEnumerable<string> fields) => string.Join(Separator, fields.Select(Quote)) + "\r\n";

    private string Quote(string field)
    {
        bool needs = field.Contains(Separator, StringComparison.Ordinal) || field.Contains('"') || field.Contains('\r') || field.Contains('\n');
        return needs ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    private void Commit()
    {
        string full = Path.GetFullPath(Filename);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = full + ".tmp" + Environment.ProcessId;
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                var bytes = new UTF8Encoding(false).GetBytes(_content!.ToString());
                fs.Write(bytes, 0, bytes.Length);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
