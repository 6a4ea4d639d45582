using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Core;

/// <summary>Proves the native library loads on this OS (the build marks GLIBCXX_3.4.32 weak) and runs a real op.</summary>
public class TorchSharpLoadTests
{
    [Test]
    public void MatmulRunsOnLibtorch()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2);
        using var c = a.matmul(b);
        // [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
        Assert.That(c.data<float>().ToArray(), Is.EqualTo(new float[] { 19, 22, 43, 50 }));
    }

    [Test]
    public void OutputLibraryHasWeakGlibcxxNeed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("ELF check is Linux only.");
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.That(File.Exists(path), Is.True, path);
        var psi = new System.Diagnostics.ProcessStartInfo("readelf", ["-V", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = text.Split('\n').FirstOrDefault(l => l.Contains("Name: GLIBCXX_3.4.32"));
        Assert.That(line, Is.Not.Null, "the version need should still be listed");
        Assert.That(line, Does.Contain("WEAK"), line);
    }
}
