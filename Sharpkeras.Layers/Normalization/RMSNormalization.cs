using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Root-mean-square normalization (Keras's <c>RMSNormalization</c>, Zhang &amp; Sennrich 2019): each sample becomes
/// <c>x · rsqrt(mean(x², axis) + epsilon) · scale</c>, with the learned <c>scale</c> (initialized to ones) of shape
/// <c>input_shape[axis]</c>. No centering, no offset. Same in training and inference.
/// </summary>
public sealed class RMSNormalization : BaseAxisNormalization
{
    private KerasVariable? _scale;

    /// <summary>Creates the layer normalizing over one axis.</summary>
    /// <param name="axis">The axis to normalize over (default −1).</param>
    /// <param name="epsilon">Added to the mean square (default 1e-6).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RMSNormalization(int axis = -1, double epsilon = 1e-6, int?[]? inputShape = null, string? name = null)
        : this([axis], epsilon, inputShape, name)
    {
        AxisIsList = false;
    }

    /// <summary>Creates the layer normalizing over several axes.</summary>
    /// <param name="axis">The axes to normalize over (not the batch axis).</param>
    /// <param name="epsilon">Added to the mean square (default 1e-6).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public RMSNormalization(int[] axis, double epsilon = 1e-6, int?[]? inputShape = null, string? name = null)
        : base("RMSNormalization", axis, epsilon, inputShape, name)
    {
    }

    /// <summary>The learned scale (after build).</summary>
    public KerasVariable? ScaleWeight => _scale;

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => _scale = AddWeight("scale", BuildAxes(inputShape, sort: true), "ones");

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var rrms = inputs.square().mean(NormalizedAxes, keepdim: true).add(Epsilon).rsqrt();
        return inputs.mul(rrms).mul(_scale!.Value.reshape(BroadcastShape!));
    }
}
