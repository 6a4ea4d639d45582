using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>The axis argument and the slice norms shared by the norm constraints.</summary>
internal static class NormAxes
{
    public static long[] Check(long[]? axis, string name)
    {
        if (axis is null) return [0];
        if (axis.Length == 0) throw new ArgumentException("axis must name at least one axis.", name);
        return axis.ToArray();
    }

    /// <summary>The L2 norm of each slice over <paramref name="axis"/> (negative axes count from the end), kept as size-1 dims.</summary>
    public static Tensor Norms(Tensor w, long[] axis)
    {
        foreach (var a in axis)
            if (a >= w.dim() || a < -w.dim())
                throw new ArgumentException($"Constraint axis {a} is out of range for a weight of rank {w.dim()}.", nameof(axis));
        return w.square().sum(axis, keepdim: true).sqrt();
    }
}
