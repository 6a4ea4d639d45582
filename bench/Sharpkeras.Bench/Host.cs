using System.Diagnostics;

namespace Sharpkeras.Bench;

/// <summary>Facts about the machine, and competing CPU load for the contention run.</summary>
internal static class Host
{
    /// <summary>The 1/5/15-minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The CPU model name (Linux), or "unknown CPU".</summary>
    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";

    /// <summary>Starts <paramref name="count"/> processes that spin on the CPU.</summary>
    public static List<Process> StartBusy(int count)
    {
        var list = new List<Process>();
        for (int i = 0; i < count; i++)
        {
            var psi = new ProcessStartInfo { FileName = "/bin/sh", UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("while :; do :; done");
            list.Add(Process.Start(psi)!);
        }
        return list;
    }

    /// <summary>Ends the processes <see cref="StartBusy"/> started.</summary>
    public static void Stop(List<Process> processes)
    {
        foreach (var p in processes)
        {
            try { p.Kill(); p.WaitForExit(); } catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
