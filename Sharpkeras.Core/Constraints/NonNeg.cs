using static TorchSharp.torch;

namespace Sharpkeras.Constraints;

/// <summary>Keeps weights non-negative (Keras's <c>NonNeg</c>): <c>w · (w ≥ 0)</c>.</summary>
public sealed class NonNeg : Constraint
{
    /// <inheritdoc />
    public override Tensor Call(Tensor w) => w.clamp_min(0);
}
