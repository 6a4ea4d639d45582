using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>Device comparisons (TorchSharp's Device has reference equality).</summary>
public static class DeviceUtils
{
    /// <summary>Whether <paramref name="t"/> lives on <paramref name="device"/>.</summary>
    public static bool IsOn(Tensor t, Device device) =>
        t.device_type == device.type && (device.type == DeviceType.CPU || device.index < 0 || t.device_index == device.index);

    /// <summary>Whether two devices are the same.</summary>
    public static bool Same(Device a, Device b) =>
        a.type == b.type && (a.type == DeviceType.CPU || a.index == b.index || a.index < 0 || b.index < 0);
}
