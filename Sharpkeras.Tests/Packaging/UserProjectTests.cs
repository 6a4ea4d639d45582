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
    private static readonly string[] Packages = ["Sharpkeras.Core", "Sharpkeras.Layers", "Sharpkeras.Onnx"];

    // The address a packager passes as SharpkerasRepositoryUrl (a reserved example domain: the test only checks that
    // it reaches the metadata; packages packed without it carry no URL).
    private const string RepositoryUrl = "https://example.com/sharpkeras.git";

    // The first program of docs/using-sharpkeras.md, plus checks.
    private const string Program = """
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
        """;

    [Test]
    public void PackagesCarryMetadataAndANewAppBuildsTrainsSavesAndExports()
    {
        using var workspace = new PackageWorkspace("user");
        foreach (var project in Packages)
        {
            var (packCode, packOutput) = workspace.Pack(project, $"SharpkerasRepositoryUrl={RepositoryUrl}");
            Assert.That(packCode, Is.EqualTo(0), packOutput);
            Assert.That(packOutput, Does.Not.Contain("warning"), $"dotnet pack {project} must be clean:\n{packOutput}");
            Assert.That(File.Exists(workspace.PackagePath(project, symbols: true)), Is.True, $"{project} has a symbol package");
            using var zip = ZipFile.OpenRead(workspace.PackagePath(project));
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.That(names, Does.Contain("LICENSE").And.Contain("README.md"));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
            var text = nuspec.ReadToEnd();
            Assert.That(text, Does.Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>")
                .And.Contain($"<projectUrl>{RepositoryUrl}</projectUrl>").And.Contain($"<repository type=\"git\" url=\"{RepositoryUrl}\"")
                .And.Contain("<tags>"));
            Assert.That(text, Does.Not.Contain("Grpc.Tools"), "protoc is a build-time tool only");
        }

        var app = workspace.CreateApp("app", Packages, Program);
        var (code, output) = PackageWorkspace.Dotnet(app, "run", "-c", "Release");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("SHARPKERAS-APP accuracy>0.8=True reloaded-identical=True onnx=True"), output);

        var bare = workspace.CreateApp("bare", Packages, Program, withBackend: false);
        (code, output) = PackageWorkspace.Dotnet(bare, "build", "-c", "Release");
        Assert.That(code, Is.Not.EqualTo(0), output);
        Assert.That(output, Does.Contain("SHARPKERAS001").And.Contain("TorchSharp-cpu"), output);
    }
}
