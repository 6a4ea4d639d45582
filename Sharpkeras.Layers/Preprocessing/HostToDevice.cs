using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>The layers' shorthand for <see cref="Engine.DeviceUtils.HostToDevice"/> (the device policy lives in Core's Backend folder).</summary>
internal static class HostToDevice
{
    public static Tensor To(Tensor cpu, Device device, ScalarType? dtype = null) => Engine.DeviceUtils.HostToDevice(cpu, device, dtype);
}
