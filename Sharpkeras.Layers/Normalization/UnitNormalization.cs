using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Scales each input vector to unit L2 norm along <c>axis</c> (Keras's <c>UnitNormalization</c>):
/// x / √max(Σx², ε²) with ε = 1e-12.
/// </summary>
public sealed class UnitNormalization : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis (or axes) normalised over (default −1).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public UnitNormalization(int[]? axis = null, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        Axis = axis ?? [-1];
        if (Axis.Length == 0) throw new ArgumentException("UnitNormalization: axis must name at least one axis.", nameof(axis));
        SupportsMasking = true;
    }

    /// <summary>The axes normalised over.</summary>
    public int[] Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        long rank = inputs.dim();
        var axes = Axis.Select(a =>
        {
            long c = a < 0 ? a + rank : a;
            if (c <= 0 || c >= rank)
                throw new ArgumentException($"UnitNormalization '{Name}': axis {a} is out of range for inputs of rank {rank} (the batch axis 0 cannot be normalised).", nameof(inputs));
            return c;
        }).Distinct().ToArray();
        var sq = inputs.square().sum(axes, keepdim: true);
        return inputs * sq.clamp_min(1e-24).rsqrt();
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
