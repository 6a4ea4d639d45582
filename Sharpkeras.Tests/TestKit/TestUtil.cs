using static TorchSharp.torch;

namespace Sharpkeras.Tests;

/// <summary>Small helpers shared by tests.</summary>
public static class TestUtil
{
    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
