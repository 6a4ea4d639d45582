using System.Diagnostics;
using NUnit.Framework;

namespace Sharpkeras.Tests;

/// <summary>
/// The packaging tests' harness: a temporary folder holding a local package feed, into which <see cref="Pack"/> packs
/// this repository's libraries under a unique prerelease version, and throwaway console apps made by
/// <see cref="CreateApp"/> that reference those packages as a user's project does. <see cref="Dispose"/> deletes it all.
/// </summary>
public sealed class PackageWorkspace : IDisposable
{
    /// <summary>The TorchSharp version the packages are built against (the backend package an app must add).</summary>
    public const string TorchSharpVersion = "0.107.0";

    private readonly DirectoryInfo _root;

    /// <summary>Creates the folder and its empty feed.</summary>
    /// <param name="label">A word for the folder's name and the package version (e.g. "smoke" gives 0.1.0-smoke.&lt;time&gt;).</param>
    public PackageWorkspace(string label)
    {
        _root = Directory.CreateTempSubdirectory($"sharpkeras-{label}-");
        Feed = Path.Combine(_root.FullName, "feed");
        Directory.CreateDirectory(Feed);
        Version = $"0.1.0-{label}.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
    }

    /// <summary>The temporary folder.</summary>
    public string Root => _root.FullName;

    /// <summary>The local feed the packages are written to.</summary>
    public string Feed { get; }

    /// <summary>The version every package of this workspace gets.</summary>
    public string Version { get; }

    /// <summary>The repository's root (the folder holding Sharpkeras.sln above the test's output folder).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Sharpkeras.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Sharpkeras.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs the dotnet CLI and fails the test if it runs longer than five minutes.</summary>
    /// <param name="workDir">The working folder.</param>
    /// <param name="args">The CLI's arguments, e.g. <c>"run", "-c", "Release"</c>.</param>
    /// <returns>The exit code and the standard output followed by the standard error.</returns>
    public static (int code, string output) Dotnet(string workDir, params string[] args)
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

    /// <summary>Packs one library of the repository into <see cref="Feed"/> at <see cref="Version"/> (Release).</summary>
    /// <param name="project">The project's name, e.g. "Sharpkeras.Core".</param>
    /// <param name="properties">Extra MSBuild properties, each as <c>Name=Value</c>.</param>
    /// <returns>The exit code and output of <c>dotnet pack</c>.</returns>
    public (int code, string output) Pack(string project, params string[] properties) =>
        Dotnet(RepoRoot(), ["pack", $"{project}/{project}.csproj", "-c", "Release", "-o", Feed, $"-p:PackageVersion={Version}",
            .. properties.Select(p => "-p:" + p)]);

    /// <summary>The path of a package packed by <see cref="Pack"/>.</summary>
    /// <param name="project">The project's name.</param>
    /// <param name="symbols">The symbol package (.snupkg) instead of the package.</param>
    public string PackagePath(string project, bool symbols = false) =>
        Path.Combine(Feed, $"{project}.{Version}.{(symbols ? "snupkg" : "nupkg")}");

    /// <summary>
    /// Writes a console app (net10.0, nullable, implicit usings) in a new sub-folder whose nuget.config adds
    /// <see cref="Feed"/>, referencing <paramref name="packages"/> at <see cref="Version"/>.
    /// </summary>
    /// <param name="name">The sub-folder's name.</param>
    /// <param name="packages">The Sharpkeras packages to reference, e.g. "Sharpkeras.Core".</param>
    /// <param name="program">The contents of Program.cs (top-level statements).</param>
    /// <param name="withBackend">Reference TorchSharp-cpu, as an application must; false for an app without a backend.</param>
    /// <returns>The app's folder.</returns>
    public string CreateApp(string name, IEnumerable<string> packages, string program, bool withBackend = true)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        var references = packages.Select(p => $"""<PackageReference Include="{p}" Version="{Version}" />""").ToList();
        if (withBackend) references.Add($"""<PackageReference Include="TorchSharp-cpu" Version="{TorchSharpVersion}" />""");
        File.WriteAllText(Path.Combine(dir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                {string.Join("\n    ", references)}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        return dir;
    }

    /// <summary>Deletes the folder (best effort: a file still open does not fail the test).</summary>
    public void Dispose()
    {
        try { _root.Delete(true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
