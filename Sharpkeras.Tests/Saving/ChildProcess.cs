using System.Diagnostics;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using Sharpkeras.Callbacks;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.Saving;

/// <summary>
/// Lets a test run real training in a separate process that it can kill with SIGKILL: the test re-launches
/// this test assembly (<c>dotnet Sharpkeras.Tests.dll</c>) with SHARPKERAS_TEST_CHILD set; the module
/// initializer below sees the variable, runs the requested job and exits before the assembly's (empty)
/// entry point. In the test host the variable is unset and nothing happens.
/// </summary>
internal static class ChildProcess
{
    public const string ModeVariable = "SHARPKERAS_TEST_CHILD";

    [ModuleInitializer]
    internal static void RunIfChild()
    {
        var mode = Environment.GetEnvironmentVariable(ModeVariable);
        if (string.IsNullOrEmpty(mode)) return;
        int code;
        try
        {
            code = mode switch
            {
                "backup-train" => BackupTrainJob.Run(),
                "save-loop" => SaveLoopJob.Run(),
                _ => 3,
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            code = 2;
        }
        Console.Out.Flush();
        Environment.Exit(code);
    }

    private static string DotnetHost()
    {
        foreach (var candidate in new[]
                 {
                     Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
                     Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root ? Path.Combine(root, "dotnet") : null,
                     Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : null,
                 })
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate)) return candidate;
        return "dotnet";
    }

    /// <summary>Starts this assembly as a child process running <paramref name="mode"/> with extra environment variables.</summary>
    public static Process Start(string mode, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        psi.Environment[ModeVariable] = mode;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var proc = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the child process.");
        return proc;
    }

    /// <summary>Runs a child to completion and asserts it succeeded.</summary>
    public static void RunToEnd(string mode, IReadOnlyDictionary<string, string> env, int timeoutMs = 120_000)
    {
        using var p = Start(mode, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill();
            Assert.Fail($"Child '{mode}' did not finish in {timeoutMs} ms.");
        }
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), $"child '{mode}' failed:\n{stdout.Result}\n{stderr.Result}");
    }
}

/// <summary>
/// The training job used by the kill-and-resume test: a seeded model with dropout (global and seeded
/// generators), shuffled batches and Adam, trained with BackupAndRestore every 2 batches.
/// Environment: CHILD_DIR (work folder), CHILD_MARKER_AT (after this many batches write "marker" and slow down).
/// Writes final.safetensors and epochs.txt (epochs run by this process) when training completes.
/// </summary>
internal static class BackupTrainJob
{
    public const int Epochs = 5;
    public const int Samples = 48;
    public const int BatchSize = 4; // 12 batches per epoch

    public static Sequential BuildModel()
    {
        return new Sequential(
            new Dense(16, activation: "relu", inputShape: [6]),
            new Dropout(0.3),
            new Dense(16, activation: "relu"),
            new Dropout(0.25, seed: 7),
            new Dense(3, activation: "softmax"));
    }

    public static (Tensor x, Tensor y) Data()
    {
        using var g = new torch.Generator(99, torch.CPU);
        return (torch.randn([Samples, 6], generator: g), torch.randint(0, 3, [Samples], generator: g, dtype: ScalarType.Int64));
    }

    private sealed class Marker(string path, int at) : Callback
    {
        private int _seen;

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
        {
            _seen++;
            if (at > 0 && _seen == at) File.WriteAllText(path, "reached");
            if (at > 0 && _seen >= at) Thread.Sleep(40); // leave the parent time to kill us mid-training
        }
    }

    public static int Run()
    {
        var dir = Environment.GetEnvironmentVariable("CHILD_DIR")!;
        int markerAt = int.Parse(Environment.GetEnvironmentVariable("CHILD_MARKER_AT") ?? "0");
        Keras.Config.Device = torch.CPU;
        Keras.ClearSession();
        Keras.Config.Seed(42);
        var (x, y) = Data();
        var model = BuildModel();
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.01), loss: "sparse_categorical_crossentropy");
        var history = model.Fit(x, y, batchSize: BatchSize, epochs: Epochs, verbose: 0, shuffle: true,
            callbacks: [new BackupAndRestore(Path.Combine(dir, "backup"), saveFreq: 2), new Marker(Path.Combine(dir, "marker"), markerAt)]);
        model.SaveWeights(Path.Combine(dir, "final.safetensors"));
        File.WriteAllText(Path.Combine(dir, "epochs.txt"), history.Epoch.Count.ToString());
        return 0;
    }
}

/// <summary>Saves a model over the same file in a loop until killed (CHILD_DIR/loop.skeras; "ready" after the first save).</summary>
internal static class SaveLoopJob
{
    public static int Run()
    {
        var dir = Environment.GetEnvironmentVariable("CHILD_DIR")!;
        Keras.Config.Device = torch.CPU;
        Keras.Config.Seed(1);
        var model = new Sequential(new Dense(512, inputShape: [256]), new Dense(512), new Dense(10));
        model.Compile(optimizer: "adam", loss: "mse");
        var path = Path.Combine(dir, "loop.skeras");
        model.Save(path);
        File.WriteAllText(Path.Combine(dir, "ready"), "1");
        for (int i = 0; ; i++)
        {
            using (torch.no_grad()) model.Layers[0].Variables[0].Value.add_(1e-3);
            model.Save(path);
        }
    }
}
