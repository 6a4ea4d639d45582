using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The element-wise minimum of the inputs (Keras's <c>Minimum</c>). Shapes follow the <see cref="Merge"/> rule.
/// With masks (Keras 3): a masked-out value is ignored (the other input's value is taken), and the output mask is
/// the OR of the masks when every input has one.
/// </summary>
public sealed class Minimum : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Minimum(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks) =>
        MaskedElementwise.Apply(this, inputs, masks, torch.minimum);
}
