using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Mask helpers shared by the attention layers (Keras's masked softmax and causal mask).</summary>
internal static class AttentionMasking
{
    /// <summary>The fill value of Keras's masked <c>Softmax</c> layer: -1e9 (-3e4 in float16).</summary>
    public static double SoftmaxLargeNegative(ScalarType dtype) => dtype == ScalarType.Float16 ? -3e4 : -1e9;

    /// <summary>The additive mask value of Keras's torch <c>dot_product_attention</c>: -0.7 × the dtype's maximum.</summary>
    public static double AttentionLargeNegative(ScalarType dtype) => dtype == ScalarType.Float16 ? -0.7 * 65500.0 : -0.7 * 3.38953e38;

    /// <summary>Lower-triangular (1, T, S) bool mask: query i may attend to key j when j &lt;= i.</summary>
    public static Tensor CausalMask(long t, long s, Device device) =>
        torch.ones(t, s, dtype: ScalarType.Bool, device: device).tril().unsqueeze(0);

    /// <summary>
    /// Keras's <c>Softmax(axis=last n axes)</c> with a mask: masked scores become -1e9 before the softmax,
    /// masked probabilities become 0 after it (so a fully masked row gives zeros).
    /// </summary>
    public static Tensor MaskedSoftmax(Tensor scores, Tensor? mask, int normAxes)
    {
        var x = scores;
        if (mask is not null) x = x.masked_fill(mask.logical_not(), SoftmaxLargeNegative(x.dtype));
        Tensor p;
        if (normAxes == 1) p = x.softmax(-1);
        else
        {
            var shape = x.shape;
            p = x.flatten(x.dim() - normAxes).softmax(-1).reshape(shape);
        }
        if (mask is not null) p = p.masked_fill(mask.logical_not(), 0.0);
        return p;
    }

    /// <summary>Checks that a Keras mask fits its sequence (the input's shape without the feature axis); returns it as bool.</summary>
    public static Tensor CheckSequenceMask(Layer layer, Tensor mask, Tensor x, string which)
    {
        var want = x.shape[..^1];
        if (!mask.shape.SequenceEqual(want))
            throw new ArgumentException(
                $"Layer '{layer.Name}' ({layer.GetType().Name}): the {which} mask must have shape {ShapeUtils.Format(want)} to match the {which} {ShapeUtils.Format(x.shape)}; got {ShapeUtils.Format(mask.shape)}.");
        return mask.dtype == ScalarType.Bool ? mask : mask.gt(0.5);
    }
}
