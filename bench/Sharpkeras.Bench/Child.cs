using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sharpkeras.Datasets;
using static TorchSharp.torch;

namespace Sharpkeras.Bench;

/// <summary>What a child run reports: per-epoch seconds, RSS after each epoch, the process's peak RSS.</summary>
internal sealed record ChildResult(List<double> Seconds, List<long> Rss, long PeakRss);

/// <summary>Runs that need a process of their own (peak RSS, environment variables read when libtorch loads).</summary>
internal static class Child
{
    private const string Marker = "CHILD-RESULT ";

    /// <summary>The child side: runs one case and prints its result as one JSON line.</summary>
    public static int Run(BenchOptions o, Device device)
    {
        var ((x, y), _) = Mnist.LoadData();
        using var xs = x.to(ScalarType.Float32).div(255f).unsqueeze(-1).to(device);
        using var ys = y.to(device);
        ChildResult r;
        switch (o.Child)
        {
            case "memory-sk":
            {
                var (rss, seconds) = Cases.MemoryRun(Cases.LeNet(), xs, ys, 128, o.MemoryEpochs, o.Seed);
                r = new ChildResult(seconds, rss, Peak());
                break;
            }
            case "memory-raw":
            {
                var rss = new List<long>();
                var seconds = Cases.RawEpochs(RawModels.LeNet, xs, ys, 128, o.MemoryEpochs, binary: false, o.Seed, device,
                    prep: xb => xb.permute(0, 3, 1, 2), rss: rss);
                r = new ChildResult(seconds, rss, Peak());
                break;
            }
            case "load":
            {
                using var x4 = xs[..4000];
                using var y4 = ys[..4000];
                var seconds = Cases.SharpkerasEpochs(Cases.LeNet(), x4, y4, 128, o.Epochs, "sparse_categorical_crossentropy", o.Seed);
                r = new ChildResult(seconds, [], Peak());
                break;
            }
            default:
                throw new ArgumentException($"Unknown --child {o.Child}");
        }
        Console.WriteLine(Marker + JsonSerializer.Serialize(r));
        return 0;
    }

    private static long Peak()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>Starts this benchmark again as a child with <c>--child mode</c> and waits for its result.</summary>
    public static ChildResult Spawn(BenchOptions o, string mode, string[] extra, IDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo { FileName = Environment.ProcessPath!, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet") psi.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var a in new[] { "--child", mode, "--threads", o.Threads.ToString(CultureInfo.InvariantCulture), "--seed", o.Seed.ToString(CultureInfo.InvariantCulture),
                     "--epochs", o.Epochs.ToString(CultureInfo.InvariantCulture), "--no-peer", "--no-out" })
            psi.ArgumentList.Add(a);
        if (o.ConvBackend != null) { psi.ArgumentList.Add("--conv-backend"); psi.ArgumentList.Add(o.ConvBackend); }
        foreach (var a in extra) psi.ArgumentList.Add(a);
        if (env != null)
            foreach (var (k, v) in env)
                if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the child benchmark process.");
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The child run '{mode}' exited with {p.ExitCode} without a result:\n{output}");
        return JsonSerializer.Deserialize<ChildResult>(line[Marker.Length..])!;
    }
}
