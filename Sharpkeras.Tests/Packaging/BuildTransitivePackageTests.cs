using System.Diagnostics;
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
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Sharpkeras.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Sharpkeras.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int code, string output) Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // The outer `dotnet test` sets MSBuild variables that must not leak into the child build.
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" }) psi.Environment.Remove(k);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"dotnet {string.Join(' ', args)} timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Test]
    public void UserAppReferencingThePackageLoadsTorchSharp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The ELF fix matters on Linux only.");
        var root = RepoRoot();
        var tmp = Directory.CreateTempSubdirectory("sharpkeras-pkg-");
        try
        {
            var feed = Path.Combine(tmp.FullName, "feed");
            var version = $"0.1.0-smoke.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
            var (code, output) = Run(root, "pack", "Sharpkeras.Core/Sharpkeras.Core.csproj", "-c", "Release", "-o", feed, $"-p:PackageVersion={version}");
            Assert.That(code, Is.EqualTo(0), output);
            var nupkg = Directory.GetFiles(feed, "Sharpkeras.Core.*.nupkg").Single();
            using (var zip = System.IO.Compression.ZipFile.OpenRead(nupkg))
                Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("buildTransitive/Sharpkeras.Core.targets"));

            var app = Path.Combine(tmp.FullName, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <NoWarn>NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Sharpkeras.Core" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using static TorchSharp.torch;
                var y = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
                var p = ones(2, 2);
                var mse = new Sharpkeras.Losses.MeanSquaredError().Compute(y, p).item<float>();
                Console.WriteLine($"SHARPKERAS-OK {mse:F2}");
                """);
            (code, output) = Run(app, "run", "-c", "Release");
            Assert.That(code, Is.EqualTo(0), output);
            // MSE per sample: mean(0², 1²) = 0.5, mean(2², 3²) = 6.5 -> 3.5
            Assert.That(output, Does.Contain("SHARPKERAS-OK 3.50"), output);
        }
        finally
        {
            try { tmp.Delete(true); } catch (IOException) { }
        }
    }
}
