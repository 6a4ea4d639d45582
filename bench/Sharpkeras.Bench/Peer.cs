using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>The PyTorch-eager peer: <c>pytorch_peer.py</c> run by the system Python when it can import torch.</summary>
internal sealed class Peer
{
    private readonly string _python;
    private readonly string _script;

    private Peer(string python, string script, string description)
    {
        _python = python;
        _script = script;
        Description = description;
    }

    /// <summary>"PyTorch 1.13 (Python 3.11, /usr/bin/python3)".</summary>
    public string Description { get; }

    /// <summary>The first Python that imports torch (Debian's /usr/bin/python3 first), or null.</summary>
    public static Peer? Find()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_peer.py");
        if (!File.Exists(script)) return null;
        foreach (var python in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var (rc, output) = Exec(python, ["-c", "import sys, torch; print(torch.__version__, sys.version.split()[0])"], TimeSpan.FromMinutes(2));
                if (rc != 0) continue;
                var parts = output.Trim().Split(' ');
                return new Peer(python, script, $"PyTorch {parts[0]} (Python {parts[^1]}, {python}; its own bundled oneDNN)");
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    /// <summary>Trains one case for <paramref name="epochs"/> epochs; returns the per-epoch seconds.</summary>
    public List<double> Run(string caseName, string dataDir, int epochs, int batch, int threads, int seed)
    {
        var (rc, output) = Exec(_python, [_script, caseName, dataDir, epochs.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture),
            threads.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(60));
        if (rc != 0) throw new InvalidOperationException($"pytorch_peer.py {caseName} exited with {rc}: {output}");
        var line = output.Split('\n').Last(l => l.StartsWith('{'));
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToList();
    }

    /// <summary>Writes x and y as raw little-endian files plus shape.json, for the peer; returns the folder.</summary>
    public static string WriteData(string root, string name, Tensor x, Tensor y)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        string Write(Tensor t, string file)
        {
            using var c = t.cpu().contiguous();
            var path = Path.Combine(dir, file);
            switch (c.dtype)
            {
                case ScalarType.Float32: File.WriteAllBytes(path, MemoryMarshal.AsBytes(c.data<float>().ToArray().AsSpan()).ToArray()); return "float32";
                case ScalarType.Int64: File.WriteAllBytes(path, MemoryMarshal.AsBytes(c.data<long>().ToArray().AsSpan()).ToArray()); return "int64";
                default: throw new ArgumentException($"Unsupported dtype {c.dtype}");
            }
        }
        var meta = new Dictionary<string, object>
        {
            ["x"] = x.shape, ["x_dtype"] = Write(x, "x.bin"),
            ["y"] = y.shape, ["y_dtype"] = Write(y, "y.bin"),
        };
        File.WriteAllText(Path.Combine(dir, "shape.json"), JsonSerializer.Serialize(meta));
        return dir;
    }

    private static (int rc, string output) Exec(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo { FileName = file, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeout)) { p.Kill(true); return (-1, "timed out"); }
        return (p.ExitCode, stdout + (p.ExitCode != 0 ? stderr.Result : ""));
    }
}
