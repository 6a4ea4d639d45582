using NUnit.Framework;

namespace Sharpkeras.Tests.Packaging;

/// <summary>
/// Packs Sharpkeras.Core, builds a brand-new console app outside this repository that references the package
/// (plus TorchSharp-cpu, as a user's app does), runs it, and checks that a real TorchSharp op ran. On Debian 12 this
/// only works because the package's buildTransitive targets mark GLIBCXX_3.4.32 weak in the app's output.
/// </summary>
[Category("Package")]
public class BuildTransitivePackageTests
{
    [Test]
    public void UserAppReferencingThePackageLoadsTorchSharp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The ELF fix matters on Linux only.");
        using var workspace = new PackageWorkspace("smoke");
        var (code, output) = workspace.Pack("Sharpkeras.Core");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Not.Contain("warning"), "dotnet pack without SharpkerasRepositoryUrl must be clean too:\n" + output);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(workspace.PackagePath("Sharpkeras.Core")))
            Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("buildTransitive/Sharpkeras.Core.targets"));

        var app = workspace.CreateApp("app", ["Sharpkeras.Core"], """
            using static TorchSharp.torch;
            var y = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
            var p = ones(2, 2);
            var mse = new Sharpkeras.Losses.MeanSquaredError().Compute(y, p).item<float>();
            Console.WriteLine($"SHARPKERAS-OK {mse:F2}");
            """);
        (code, output) = PackageWorkspace.Dotnet(app, "run", "-c", "Release");
        Assert.That(code, Is.EqualTo(0), output);
        // MSE per sample: mean(0², 1²) = 0.5, mean(2², 3²) = 6.5 -> 3.5
        Assert.That(output, Does.Contain("SHARPKERAS-OK 3.50"), output);
    }
}
