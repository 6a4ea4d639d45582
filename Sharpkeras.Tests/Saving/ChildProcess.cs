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
