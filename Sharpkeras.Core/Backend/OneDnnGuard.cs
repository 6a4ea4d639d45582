using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>
/// Applies <see cref="Keras.Config.ConvolutionBackend"/> to libtorch before a convolution runs: keeps libtorch's
/// oneDNN (MKL-DNN) CPU convolution backend on when its known-answer self-test (<see cref="OneDnnSelfTest"/>)
/// passes, and turns it off (PyTorch's <c>torch.backends.mkldnn.enabled = False</c>) only when the self-test
/// fails or the setting asks for the native kernels. CUDA is not affected.
/// </summary>
/// <remarks>
/// History: with TorchSharp 0.107 / libtorch 2.10.0 (bundled oneDNN 3.7.1), wrong float32 input gradients and
/// depthwise outputs were once observed on this project's machines, and the library turned oneDNN off for every
/// process. They did not reproduce later (12,480 conv1d/2d/3d configurations and 135,797 randomised cases against
/// float64, 0 wrong), and oneDNN roughly halves a LeNet-5 step, so the switch became this check: the conditions of
/// the original failure may exist on other CPUs, and the self-test catches them there.
/// TorchSharp has no setter for the flag, so the C++ one (<c>at::globalContext().setUserEnabledMkldnn</c>) is
/// called through its exported symbol; if it cannot be found the backend stays as libtorch chose it.
/// NNPACK is always turned off: libtorch's fallback after it is the same native kernel, and on CPUs it does not
/// support it prints "Could not initialize NNPACK" for every convolution.
/// </remarks>
public static class OneDnnGuard
{
    private static readonly object Gate = new();
    private static volatile string? _applied;
    private static string? _selfTestResult;
    private static bool _selfTestRan;
    private static bool _warned;

    /// <summary>The known-answer check run by "auto" (returns null when it passes); tests substitute failing checks.</summary>
    internal static Func<string?> SelfTest { get; set; } = () => OneDnnSelfTest.Run();

    /// <summary>Whether oneDNN is off for convolutions (by the setting or a failed self-test).</summary>
    public static bool Disabled { get; private set; }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContextItanium();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnnItanium(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnnItanium(IntPtr context);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpackItanium(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "?globalContext@at@@YAAEAVContext@1@XZ")]
    private static extern IntPtr GlobalContextMsvc();

    [DllImport("torch_cpu", EntryPoint = "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z")]
    private static extern void SetUserEnabledMkldnnMsvc(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "?userEnabledMkldnn@Context@at@@QEBA_NXZ")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnnMsvc(IntPtr context);

    /// <summary>
    /// Applies the current <see cref="Keras.Config.ConvolutionBackend"/> (thread-safe; after the first call, a string
    /// comparison unless the setting changed). Runs the self-test once per process, the first time "auto" applies.
    /// </summary>
    public static void Apply()
    {
        var wanted = Keras.Config.ConvolutionBackend;
        if (ReferenceEquals(wanted, _applied)) return;
        lock (Gate)
        {
            wanted = Keras.Config.ConvolutionBackend;
            if (ReferenceEquals(wanted, _applied)) return;
            bool useOneDnn = wanted switch
            {
                "native" => false,
                "onednn" => true,
                _ => AutoDecision(),
            };
            SetOneDnn(useOneDnn);
            _applied = wanted;
        }
    }

    private static bool AutoDecision()
    {
        if (!_selfTestRan)
        {
            SetOneDnn(true);   // check the kernels that "auto" would use
            try
            {
                _selfTestResult = SelfTest();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _selfTestResult = $"the self-test threw {e.GetType().Name}: {e.Message}";
            }
            _selfTestRan = true;
        }
        Keras.Config.ConvolutionSelfTestFailure = _selfTestResult;
        if (_selfTestResult == null) return true;
        if (!_warned)
        {
            _warned = true;
            Console.Error.WriteLine(
                "Sharpkeras: libtorch's oneDNN CPU convolution backend failed its known-answer self-test, so it is turned off for this " +
                $"process and convolutions use libtorch's native kernels. Failing configuration: {_selfTestResult}. " +
                "Keras.Config.ConvolutionBackend = \"onednn\" keeps oneDNN anyway.");
        }
        return false;
    }

    /// <summary>Sets libtorch's oneDNN flag (and turns NNPACK off); records what is in use.</summary>
    private static void SetOneDnn(bool enabled)
    {
        // Make sure TorchSharp has loaded libtorch before resolving its symbols.
        _ = torch.get_num_threads();
        bool? state = null;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                var ctx = GlobalContextMsvc();
                SetUserEnabledMkldnnMsvc(ctx, enabled);
                state = UserEnabledMkldnnMsvc(ctx);
            }
            else
            {
                var ctx = GlobalContextItanium();
                SetUserEnabledMkldnnItanium(ctx, enabled);
                state = UserEnabledMkldnnItanium(ctx);
                try { SetUserEnabledNnpackItanium(ctx, false); } catch (EntryPointNotFoundException) { }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            // Another libtorch build: the backend stays as libtorch chose it (oneDNN on where it is built in).
        }
        Disabled = state == false;
        Keras.Config.ActiveConvolutionBackend = state ?? true ? "onednn" : "native";
    }

    /// <summary>Whether libtorch's oneDNN flag is on now (null when the symbol cannot be found).</summary>
    internal static bool? OneDnnFlag()
    {
        _ = torch.get_num_threads();
        try
        {
            return OperatingSystem.IsWindows() ? UserEnabledMkldnnMsvc(GlobalContextMsvc()) : UserEnabledMkldnnItanium(GlobalContextItanium());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>For tests: forget the self-test result, the warning and the applied setting, so the next <see cref="Apply"/> starts over.</summary>
    internal static void ResetForTests()
    {
        lock (Gate)
        {
            _applied = null;
            _selfTestRan = false;
            _selfTestResult = null;
            _warned = false;
            Keras.Config.ConvolutionSelfTestFailure = null;
        }
    }
}
