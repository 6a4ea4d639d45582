namespace Sharpkeras.Layers;

/// <summary>
/// A depthwise 2D convolution (Keras's <c>DepthwiseConv2D</c>): every input channel of (batch, height, width, channels) is convolved with
/// its own <c>depthMultiplier</c> kernels, giving in_channels·depthMultiplier channels. Kernel (kh, kw, in_channels, depth_multiplier).
/// </summary>
/// <remarks>See <see cref="BaseDepthwiseConv"/>.</remarks>
public sealed class DepthwiseConv2D : BaseDepthwiseConv
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="depthMultiplier">The number of output channels per input channel (&gt; 0).</param>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">Initializer alias or object for the kernel (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="depthwiseRegularizer">Regularizer for the kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="depthwiseConstraint">Constraint for the kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public DepthwiseConv2D(IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", int depthMultiplier = 1,
        string? dataFormat = null, IntTuple? dilationRate = null, string? activation = null, bool useBias = true,
        object? depthwiseInitializer = null, object? biasInitializer = null, object? depthwiseRegularizer = null,
        object? biasRegularizer = null, object? activityRegularizer = null, object? depthwiseConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, depthMultiplier, kernelSize, strides, padding, dataFormat, dilationRate, activation, useBias,
            depthwiseInitializer, biasInitializer, depthwiseRegularizer, biasRegularizer, activityRegularizer,
            depthwiseConstraint, biasConstraint, inputShape, name)
    {
    }
}
