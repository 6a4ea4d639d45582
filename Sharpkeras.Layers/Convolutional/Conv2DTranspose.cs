namespace Sharpkeras.Layers;

/// <summary>
/// A transposed 2D convolution (Keras's <c>Conv2DTranspose</c>, "deconvolution"): upsamples images
/// (batch, height, width, channels) by the strides. Kernel (kh, kw, filters, in_channels).
/// </summary>
/// <remarks>See <see cref="BaseConvTranspose"/> for the output-size formula and layout.</remarks>
public sealed class Conv2DTranspose : BaseConvTranspose
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="outputPadding">Extra cells at the end of each dimension (each &lt; its stride), or null for Keras's default size.</param>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">Initializer alias or object (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="kernelRegularizer">Regularizer for the kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="kernelConstraint">Constraint for the kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Conv2DTranspose(int filters, IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", IntTuple? outputPadding = null,
        string? dataFormat = null, IntTuple? dilationRate = null, string? activation = null, bool useBias = true,
        object? kernelInitializer = null, object? biasInitializer = null, object? kernelRegularizer = null,
        object? biasRegularizer = null, object? activityRegularizer = null, object? kernelConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, filters, kernelSize, strides, padding, outputPadding, dataFormat, dilationRate, activation, useBias,
            kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint,
            biasConstraint, inputShape, name)
    {
    }
}
