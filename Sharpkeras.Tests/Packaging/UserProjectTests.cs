using System.Diagnostics;
using System.IO.Compression;
using NUnit.Framework;

namespace Sharpkeras.Tests.Packaging;

/// <summary>
/// Packs Sharpkeras.Core, Sharpkeras.Layers and Sharpkeras.Onnx, checks the packages' metadata, then builds two new
/// console apps outside the repository from those packages, as docs/using-sharpkeras.md tells a user to: one with
/// the CPU backend trains, saves and reloads a .keras file and exports ONNX; one without a backend must fail to
/// build with the plain SHARPKERAS001 error.
/// </summary>
[Category("Package")]
public class UserProjectTests
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
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" }) psi.Environment.Remove(k);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); Assert.Fail($"dotnet {string.Join(' ', args)} timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static void WriteApp(string dir, string feed, string version, bool withBackend)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string backend = withBackend ? """<PackageReference Include="TorchSharp-cpu" Version="0.107.0" />""" : "";
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
                <PackageReference Include="Sharpkeras.Core" Version="{version}" />
                <PackageReference Include="Sharpkeras.Layers" Version="{version}" />
                <PackageReference Include="Sharpkeras.Onnx" Version="{version}" />
                {backend}
              </ItemGroup>
            </Project>
            """);
        // The first program of docs/using-sharpkeras.md, plus checks.
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using Sharpkeras;
            using Sharpkeras.Layers;
            using static TorchSharp.torch;

            manual_seed(1);
            var x = randn(256, 4);
            var y = (x.sum([1L]) > 0).to(ScalarType.Int64);

            var model = new Sequential(
                new Dense(16, activation: "relu", inputShape: [4]),
                new Dense(2, activation: "softmax"));
            model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
            model.Fit(x, y, batchSize: 32, epochs: 40, verbose: 0);
            var accuracy = model.Evaluate(x, y, verbose: 0)["accuracy"];

            model.Save("model.keras");
            var again = Model.Load("model.keras");
            bool same = model.Predict(x, verbose: 0).eq(again.Predict(x, verbose: 0)).all().item<bool>();
            model.ExportOnnx("model.onnx");
            Console.WriteLine($"accuracy {accuracy}"); Console.WriteLine($"SHARPKERAS-APP accuracy>0.8={accuracy > 0.8} reloaded-identical={same} onnx={new FileInfo("model.onnx").Length > 0}");
            """);
    }

    [Test]
    public void PackagesCarryMetadataAndANewAppBuildsTrainsSavesAndExports()
    {
        var root = RepoRoot();
        var tmp = Directory.CreateTempSubdirectory("sharpkeras-user-");
        try
        {
            var feed = Path.Combine(tmp.FullName, "feed");
            var version = $"0.1.0-user.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
            foreach (var project in new[] { "Sharpkeras.Core", "Sharpkeras.Layers", "Sharpkeras.Onnx" })
            {
                var (packCode, packOutput) = Run(root, "pack", $"{project}/{project}.csproj", "-c", "Release", "-o", feed, $"-p:PackageVersion={version}");
                Assert.That(packCode, Is.EqualTo(0), packOutput);
                Assert.That(packOutput, Does.Not.Contain("warning"), $"dotnet pack {project} must be clean:\n{packOutput}");
                Assert.That(File.Exists(Path.Combine(feed, $"{project}.{version}.snupkg")), Is.True, $"{project} has a symbol package");
                using var zip = ZipFile.OpenRead(Path.Combine(feed, $"{project}.{version}.nupkg"));
                var names = zip.Entries.Select(e => e.FullName).ToList();
                Assert.That(names, Does.Contain("LICENSE").And.Contain("README.md"));
                using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
                var text = nuspec.ReadToEnd();
                Assert.That(text, Does.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>")
                    .And.Contain("<projectUrl>").And.Contain("<repository type=\"git\"").And.Contain("<tags>"));
                Assert.That(text, Does.Not.Contain("Grpc.Tools"), "protoc is a build-time tool only");
            }

            var app = Path.Combine(tmp.FullName, "app");
            WriteApp(app, feed, version, withBackend: true);
            var (code, output) = Run(app, "run", "-c", "Release");
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("SHARPKERAS-APP accuracy>0.8=True reloaded-identical=True onnx=True"), output);

            var bare = Path.Combine(tmp.FullName, "bare");
            WriteApp(bare, feed, version, withBackend: false);
            (code, output) = Run(bare, "build", "-c", "Release");
            Assert.That(code, Is.Not.EqualTo(0), output);
            Assert.That(output, Does.Contain("SHARPKERAS001").And.Contain("TorchSharp-cpu"), output);
        }
        finally
        {
            try { tmp.Delete(true); } catch (IOException) { }
        }
    }
}
