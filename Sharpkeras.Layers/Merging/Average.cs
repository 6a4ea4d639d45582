using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The element-wise mean of the inputs (Keras's <c>Average</c>): their sum divided by their count. Shapes follow
/// the <see cref="Merge"/> rule; the output mask is the OR of the inputs' masks.
/// </summary>
public sealed class Average : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Average(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks)
    {
        var r = inputs[0];
        for (int i = 1; i < inputs.Length; i++) r = r + inputs[i];
        return r / inputs.Length;
    }
}
