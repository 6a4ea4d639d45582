using System.Diagnostics;
using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace Sharpkeras.Tests.Distribution;

/// <summary>Launches tests/Sharpkeras.MpiJob with mpiexec (MPICH's Hydra) and reads what its ranks wrote.</summary>
internal static class MpiJobRunner
{
    /// <summary>
    /// Generous wall-clock limit of one job, only there so that a broken job cannot hang the test run: no assertion
    /// depends on how long a job takes (the machine may be heavily loaded).
    /// </summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(8);

    /// <summary>MPICH's launcher, or null when MPICH is not installed.</summary>
    public static string? FindMpiexec()
    {
        foreach (var name in new[] { "mpiexec.mpich", "mpiexec.hydra" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    public static string RequireMpiexec() => FindMpiexec() ?? IgnoreNoMpi();

    private static string IgnoreNoMpi()
    {
        if (Environment.GetEnvironmentVariable("SHARPKERAS_REQUIRE_MPI") == "1")
            Assert.Fail("mpiexec.mpich was not found but SHARPKERAS_REQUIRE_MPI=1 (set by .ci/run): .ci/run could not install MPICH (apt-get install mpich libmpich-dev).");
        Assert.Ignore("mpiexec.mpich was not found: install MPICH (apt-get install mpich libmpich-dev, as .ci/run does) to run the distributed tests.");
        return "";
    }

    /// <summary>The built Sharpkeras.MpiJob.dll of the same configuration as the tests.</summary>
    public static string JobDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = baseDir.Name, configuration = baseDir.Parent!.Name;
        var root = baseDir;
        while (root != null && !File.Exists(Path.Combine(root.FullName, "Sharpkeras.sln"))) root = root.Parent;
        Assert.That(root, Is.Not.Null, "could not find the repository root (Sharpkeras.sln) above the test binaries");
        var dll = Path.Combine(root!.FullName, "tests", "Sharpkeras.MpiJob", "bin", configuration, tfm, "Sharpkeras.MpiJob.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is missing: build tests/Sharpkeras.MpiJob (the test project references it).");
        return dll;
    }

    public static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    /// <summary>Runs <c>mpiexec -np <paramref name="processes"/> dotnet MpiJob.dll args</c>, or the job alone when processes is 0.</summary>
    public static (int exitCode, string output) Run(int processes, params string[] args)
    {
        var psi = processes > 0 ? new ProcessStartInfo(RequireMpiexec()) : new ProcessStartInfo(Dotnet());
        if (processes > 0)
        {
            psi.ArgumentList.Add("-np");
            psi.ArgumentList.Add(processes.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(Dotnet());
        }
        psi.ArgumentList.Add(JobDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE"; // waiting threads sleep instead of spinning on a shared machine
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        bool ended = false;
        try
        {
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            ended = p.WaitForExit(JobTimeout);
            if (!ended)
                Assert.Fail($"The MPI job did not end within {JobTimeout.TotalMinutes} min. Output so far:\n{Snapshot(output)}");
            p.WaitForExit(); // drains the redirected streams
            lock (output) return (p.ExitCode, output.ToString());
        }
        finally
        {
            // Whatever happened (timeout, failed assertion, exception), no launcher or rank outlives the test.
            if (!ended) KillTree(p);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static void KillTree(Process p)
    {
        try { p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        catch (System.ComponentModel.Win32Exception) { }
        p.WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>A result-rank{r}.txt file: "kind name values…" lines (weights, History, Evaluate).</summary>
    public static Dictionary<string, double[]> ReadResult(string path)
    {
        Assert.That(File.Exists(path), Is.True, $"{path} was not written");
        var d = new Dictionary<string, double[]>();
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            d[parts[0] + " " + parts[1]] = parts.Skip(2).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        return d;
    }
}
