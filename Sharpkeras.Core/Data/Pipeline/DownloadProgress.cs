using System.Diagnostics;

namespace Sharpkeras.Data.Pipeline;

/// <summary>A Keras-style download progress bar on the console (redrawn at most 4 times a second).</summary>
internal sealed class DownloadProgress
{
    private readonly long? _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private long _lastDraw = -1000;

    public DownloadProgress(long? total, long start)
    {
        _total = total;
        if (start > 0) Console.WriteLine($"Resuming at {Format(start)}.");
    }

    public void Update(long done)
    {
        if (!_interactive) return;
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 250) return;
        _lastDraw = now;
        Console.Write("\r" + Line(done));
    }

    public void Done(long done)
    {
        if (_interactive) Console.Write("\r" + Line(done) + Environment.NewLine);
        else Console.WriteLine(Line(done));
    }

    private string Line(long done)
    {
        double secs = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        string rate = Format((long)(done / secs)) + "/s";
        if (_total is long t && t > 0)
        {
            int width = 30;
            int filled = (int)Math.Min(width, width * done / t);
            string bar = new string('=', Math.Max(0, filled - 1)) + (filled < width ? ">" : "=") + new string('.', width - filled);
            return $"{Format(done)}/{Format(t)} [{bar}] {rate}";
        }
        return $"{Format(done)} {rate}";
    }

    private static string Format(long bytes) => bytes switch
    {
        >= 1 << 30 => $"{bytes / (double)(1 << 30):0.0} GB",
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.0} MB",
        >= 1 << 10 => $"{bytes / 1024.0:0.0} KB",
        _ => $"{bytes} B",
    };
}
