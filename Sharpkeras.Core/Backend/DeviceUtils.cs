using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>
/// The device policy in one place (the <c>Backend</c> folder holds everything device-specific): which device is the
/// default, how devices compare (TorchSharp's <see cref="Device"/> has reference equality), how every device's
/// generator is seeded, and how host-drawn values reach a device. Adding a device kind is a change here and in
/// <see cref="RandomState"/>.
/// </summary>
public static class DeviceUtils
{
    /// <summary>The default device when none is configured: CUDA when available, otherwise the CPU.</summary>
    public static Device DefaultDevice() => torch.cuda.is_available() ? torch.CUDA : torch.CPU;

    /// <summary>Whether <paramref name="t"/> lives on <paramref name="device"/>.</summary>
    /// <param name="t">A tensor.</param>
    /// <param name="device">A device.</param>
    public static bool IsOn(Tensor t, Device device) =>
        t.device_type == device.type && (device.type == DeviceType.CPU || device.index < 0 || t.device_index == device.index);

    /// <summary>Whether two devices are the same.</summary>
    /// <param name="a">A device.</param>
    /// <param name="b">Another device.</param>
    public static bool Same(Device a, Device b) =>
        a.type == b.type && (a.type == DeviceType.CPU || a.index == b.index || a.index < 0 || b.index < 0);

    /// <summary>Seeds the generator of every device torch has (CPU and, when present, every CUDA device).</summary>
    /// <param name="seed">The seed.</param>
    public static void SeedAllDevices(int seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>
    /// Moves values drawn on a CPU generator (TorchSharp has no CUDA generators for every op) to
    /// <paramref name="device"/> without a host synchronization: pinned memory and a non-blocking copy.
    /// </summary>
    /// <param name="cpu">A CPU tensor.</param>
    /// <param name="device">The target device.</param>
    /// <param name="dtype">Optional element type to cast to first.</param>
    public static Tensor HostToDevice(Tensor cpu, Device device, ScalarType? dtype = null)
    {
        var t = dtype is ScalarType d && cpu.dtype != d ? cpu.to(d) : cpu;
        if (device.type == DeviceType.CPU) return t;
        return t.pin_memory().to(device, non_blocking: true);
    }
}
