using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The element-wise sum of the inputs (Keras's <c>Add</c>): <c>new Add().Apply(a, b)</c>. Shapes follow the
/// <see cref="Merge"/> rule (equal, or 1 to broadcast); the output mask is the OR of the inputs' masks.
/// </summary>
public sealed class Add : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Add(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks)
    {
        var r = inputs[0];
        for (int i = 1; i < inputs.Length; i++) r = r + inputs[i];
        return r;
    }
}
