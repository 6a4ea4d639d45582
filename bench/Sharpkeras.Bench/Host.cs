using System.Diagnostics;
using System.Runtime.InteropServices;

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

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>
    /// Keeps freed memory in glibc's heap instead of returning it to the kernel (Linux): a training step frees its
    /// activations (megabytes) at the end, and glibc's default trimming hands them back, so the next step page-faults
    /// them in again. Whether that happens depends on the heap's layout: two identical runs measured 55,000 and 751,000
    /// minor page faults. Both sides of every comparison run in this process with the same setting; the memory
    /// children (peak RSS) keep glibc's defaults. Returns what was done, for the report.
    /// </summary>
    public static string KeepHeap()
    {
        if (!OperatingSystem.IsLinux()) return "allocator defaults";
        const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, OneGiB = 1 << 30;
        try
        {
            bool ok = Mallopt(M_TRIM_THRESHOLD, OneGiB) == 1 && Mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
            return ok ? "glibc heap kept between steps (mallopt M_TRIM_THRESHOLD 1 GiB, M_MMAP_THRESHOLD 32 MiB)" : "allocator defaults (mallopt refused)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return "allocator defaults (no glibc mallopt)";
        }
    }

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
