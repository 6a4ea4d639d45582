using System.Runtime.InteropServices;

namespace Sharpkeras.Distribution;

/// <summary>
/// Makes a GPU the calling thread's current CUDA device through the CUDA driver API (<c>libcuda.so.1</c>), which NCCL
/// reads when it creates a communicator; TorchSharp 0.107 has no <c>torch.cuda.set_device</c>.
/// </summary>
internal static class CudaDriver
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InitFn(uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DeviceGetFn(out int device, int ordinal);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int PrimaryCtxRetainFn(out IntPtr context, int device);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CtxSetCurrentFn(IntPtr context);

    /// <summary>Sets the current device of this thread to GPU <paramref name="ordinal"/> (its primary context, shared with libtorch).</summary>
    public static void SetCurrentDevice(int ordinal)
    {
        IntPtr lib = IntPtr.Zero;
        foreach (var name in new[] { "libcuda.so.1", "libcuda.so", "nvcuda.dll" })
            if (NativeLibrary.TryLoad(name, out lib)) break;
        if (lib == IntPtr.Zero) throw new DistributedTrainingException("The CUDA driver library (libcuda.so.1) could not be loaded.");
        T Fn<T>(string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, name));
        Check(Fn<InitFn>("cuInit")(0), "cuInit");
        Check(Fn<DeviceGetFn>("cuDeviceGet")(out int device, ordinal), "cuDeviceGet");
        Check(Fn<PrimaryCtxRetainFn>("cuDevicePrimaryCtxRetain")(out IntPtr ctx, device), "cuDevicePrimaryCtxRetain");
        Check(Fn<CtxSetCurrentFn>("cuCtxSetCurrent")(ctx), "cuCtxSetCurrent");
    }

    private static void Check(int result, string call)
    {
        if (result != 0) throw new DistributedTrainingException($"{call} failed with CUDA driver error {result}.");
    }
}
