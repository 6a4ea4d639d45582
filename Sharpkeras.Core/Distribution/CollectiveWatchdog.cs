using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sharpkeras.Distribution;

/// <summary>
/// Ends this process with a clear message when one collective operation waits longer than the timeout for
/// the other ranks — the sign of a rank that died without the launcher noticing, or that hangs. A blocked MPI
/// or NCCL call cannot be interrupted from managed code, so the watchdog prints the reason on stderr and
/// exits the process (exit code 75); the launcher (<c>mpiexec</c>) then ends the remaining ranks.
/// </summary>
internal sealed class CollectiveWatchdog : IDisposable
{
    /// <summary>The exit code of a process ended by the watchdog.</summary>
    public const int ExitCode = 75;

    private readonly TimeSpan _timeout;
    private readonly int _rank;
    private readonly int _size;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new(false);
    private long _startedTicks;   // Stopwatch ticks when the current collective began; 0 when none runs
    private string _what = "";
    private long _count;

    public CollectiveWatchdog(TimeSpan timeout, int rank, int size)
    {
        _timeout = timeout;
        _rank = rank;
        _size = size;
        _thread = new Thread(Watch) { IsBackground = true, Name = "Sharpkeras collective watchdog" };
        _thread.Start();
    }

    /// <summary>Marks the start of a collective; dispose the result when it returns.</summary>
    public Scope Enter(string what)
    {
        Volatile.Write(ref _what, what);
        Interlocked.Increment(ref _count);
        Volatile.Write(ref _startedTicks, Stopwatch.GetTimestamp());
        return new Scope(this);
    }

    /// <summary>Ends the watch of one collective.</summary>
    public readonly struct Scope(CollectiveWatchdog owner) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Volatile.Write(ref owner._startedTicks, 0);
    }

    private void Watch()
    {
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 4, 50, 1000));
        while (!_stop.Wait(poll))
        {
            long started = Volatile.Read(ref _startedTicks);
            if (started == 0) continue;
            var waited = Stopwatch.GetElapsedTime(started);
            if (waited < _timeout) continue;
            var msg = $"Sharpkeras.Distribution: rank {_rank} of {_size} waited {waited.TotalSeconds:F0} s " +
                $"(timeout {_timeout.TotalSeconds:F0} s) in {Volatile.Read(ref _what)} (collective #{Interlocked.Read(ref _count)}) " +
                "for the other ranks: a rank has died or stopped responding. Ending this process so the job does not hang; " +
                "see the other ranks' output for the first error. (Raise DataParallel's timeoutSeconds if steps are legitimately that slow.)";
            try
            {
                Console.Out.Flush();
                Console.Error.WriteLine(msg);
                Console.Error.Flush();
            }
            catch (IOException) { }
            Terminate();
        }
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void PosixExit(int status);

    private static void Terminate()
    {
        // _exit skips managed shutdown, which would block on the thread stuck in the native collective.
        if (!OperatingSystem.IsWindows())
        {
            try { PosixExit(ExitCode); } catch (DllNotFoundException) { } catch (EntryPointNotFoundException) { }
        }
        Environment.FailFast("Sharpkeras.Distribution: collective operation timed out.");
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
