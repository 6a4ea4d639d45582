using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Keras 3's masked merge for operations without an identity element (<see cref="Maximum"/>, <see cref="Minimum"/>):
/// where an input is masked out the running result is kept, and where the running result is masked out the input
/// is taken.
/// </summary>
internal static class MaskedElementwise
{
    public static Tensor Apply(Merge layer, Tensor[] inputs, Tensor?[]? masks, Func<Tensor, Tensor, Tensor> op)
    {
        Tensor? output = null, outputMask = null;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            var mask = masks?[i] is Tensor m ? layer.BroadcastMask(m, x) : null;
            if (output is null)
            {
                output = x;
                outputMask = mask;
                continue;
            }
            if (mask is not null) x = torch.where(mask, x, output);
            if (outputMask is not null) output = torch.where(outputMask, output, x);
            outputMask = mask is not null && outputMask is not null ? outputMask.logical_or(mask) : null;
            output = op(output, x);
        }
        return output!;
    }
}
