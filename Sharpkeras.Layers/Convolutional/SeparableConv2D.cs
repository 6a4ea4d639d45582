namespace Sharpkeras.Layers;

/// <summary>
/// A depthwise-separable 2D convolution (Keras's <c>SeparableConv2D</c>): a depthwise convolution of (batch, height, width, channels)
/// (each channel with its own <c>depthMultiplier</c> kernels) followed by a pointwise convolution to
/// <c>filters</c> channels, then bias and activation.
/// </summary>
/// <remarks>See <see cref="BaseSeparableConv"/>.</remarks>
public sealed class SeparableConv2D : BaseSeparableConv
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate of the depthwise step (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="depthMultiplier">The number of depthwise output channels per input channel (&gt; 0).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">Initializer for the depthwise kernel (default "glorot_uniform").</param>
    /// <param name="pointwiseInitializer">Initializer for the pointwise kernel (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="depthwiseRegularizer">Regularizer for the depthwise kernel.</param>
    /// <param name="pointwiseRegularizer">Regularizer for the pointwise kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="depthwiseConstraint">Constraint for the depthwise kernel.</param>
    /// <param name="pointwiseConstraint">Constraint for the pointwise kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public SeparableConv2D(int filters, IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        IntTuple? dilationRate = null, int depthMultiplier = 1, string? activation = null, bool useBias = true,
        object? depthwiseInitializer = null, object? pointwiseInitializer = null, object? biasInitializer = null,
        object? depthwiseRegularizer = null, object? pointwiseRegularizer = null, object? biasRegularizer = null,
        object? activityRegularizer = null, object? depthwiseConstraint = null, object? pointwiseConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, depthMultiplier, activation, useBias,
            depthwiseInitializer, pointwiseInitializer, biasInitializer, depthwiseRegularizer, pointwiseRegularizer,
            biasRegularizer, activityRegularizer, depthwiseConstraint, pointwiseConstraint, biasConstraint, inputShape, name)
    {
    }
}
