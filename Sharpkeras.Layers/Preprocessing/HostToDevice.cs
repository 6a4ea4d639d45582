using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Moves the few random numbers a layer draws on its CPU generator (TorchSharp has no CUDA generators) to the
/// data's device without a host synchronization: pinned memory and a non-blocking copy.
/// </summary>
internal static class HostToDevice
{
    public static Tensor To(Tensor cpu, Device device, ScalarType? dtype = null)
    {
        var t = dtype is ScalarType d && cpu.dtype != d ? cpu.to(d) : cpu;
        if (device.type == DeviceType.CPU) return t;
        return t.pin_memory().to(device, non_blocking: true);
    }
}
