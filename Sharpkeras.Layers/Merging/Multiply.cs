using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The element-wise product of the inputs (Keras's <c>Multiply</c>). Shapes follow the <see cref="Merge"/> rule.
/// With masks (Keras 3): a masked-out value counts as 1 in the product; when every input has a mask, positions
/// masked in all inputs are 0 in the output and the output mask is the OR of the masks.
/// </summary>
public sealed class Multiply : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Multiply(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks)
    {
        if (masks is null)
        {
            var p = inputs[0];
            for (int i = 1; i < inputs.Length; i++) p = p * inputs[i];
            return p;
        }
        bool allMasked = masks.All(m => m is not null);
        Tensor? output = null, outputMask = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            if (masks[i] is Tensor m)
            {
                var bm = BroadcastMask(m, x);
                x = torch.where(bm, x, torch.ones_like(x));
                if (allMasked) outputMask = outputMask is null ? bm : outputMask.logical_or(bm);
            }
            output = output is null ? x : output * x;
        }
        return allMasked ? torch.where(outputMask!, output!, torch.zeros_like(output!)) : output!;
    }
}
