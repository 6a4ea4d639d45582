using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Turns off libtorch's oneDNN (MKL-DNN) convolution backend on the CPU, once per process, before the first
/// convolution runs (PyTorch's <c>torch.backends.mkldnn.enabled = False</c>; CUDA is not affected).
/// </summary>
/// <remarks>
/// Measured with TorchSharp 0.107 / libtorch 2.10.0 (bundled oneDNN 3.7.1) on the project's x86-64 machines:
/// oneDNN returns wrong float32 results for many convolutions. The input gradient of a plain conv1d/2d/3d
/// with batch ≥ 2 and kernel ≥ 2 is wrong for contiguous (channels_first) inputs (e.g. conv1d of ones
/// [1, 1] on 4 steps gives d/dx [1, 1, 1, 0] instead of [1, 2, 2, 1]) and for some channels_last ones; depthwise
/// convolutions on channels_last inputs give wrong outputs. Float64 and libtorch's native kernels (used when
/// oneDNN is off) were right in every one of ~2,100 checked configurations (ranks 1–3, batch 1–3, groups,
/// depthwise, strides, dilations, padding, both layouts, outputs and both gradients). TorchSharp has no
/// setter for this flag, so the C++ one (<c>at::globalContext().setUserEnabledMkldnn(false)</c>) is called
/// through its exported symbol; if it cannot be found nothing changes. Set the environment variable
/// SHARPKERAS_KEEP_ONEDNN=1 to keep oneDNN.
/// </remarks>
internal static class OneDnnGuard
{
    private static readonly object Gate = new();
    private static bool _done;

    /// <summary>Whether oneDNN was turned off by this guard.</summary>
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

    /// <summary>Applies the setting (idempotent, thread-safe).</summary>
    public static void Apply()
    {
        if (_done) return;
        lock (Gate)
        {
            if (_done) return;
            _done = true;
            if (Environment.GetEnvironmentVariable("SHARPKERAS_KEEP_ONEDNN") == "1") return;
            // Make sure TorchSharp has loaded libtorch before resolving its symbols.
            _ = torch.get_num_threads();
            try
            {
                if (OperatingSystem.IsWindows())
                {
                    var ctx = GlobalContextMsvc();
                    SetUserEnabledMkldnnMsvc(ctx, false);
                    Disabled = !UserEnabledMkldnnMsvc(ctx);
                }
                else
                {
                    var ctx = GlobalContextItanium();
                    SetUserEnabledMkldnnItanium(ctx, false);
                    Disabled = !UserEnabledMkldnnItanium(ctx);
                    // With oneDNN off, libtorch tries NNPACK next; on CPUs it does not support it prints
                    // "Could not initialize NNPACK" for every convolution. Its fallback is the same native kernel.
                    try { SetUserEnabledNnpackItanium(ctx, false); } catch (EntryPointNotFoundException) { }
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                // Another libtorch build: leave the backend as it is.
            }
        }
    }
}
