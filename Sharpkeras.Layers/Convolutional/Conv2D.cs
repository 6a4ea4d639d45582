namespace Sharpkeras.Layers;

/// <summary>
/// A 2D convolution over images (Keras's <c>Conv2D</c>): input (batch, height, width, channels) in channels_last,
/// kernel (kh, kw, in_channels / groups, filters).
/// </summary>
/// <remarks>See <see cref="BaseConv"/> for the layout and padding rules.</remarks>
public sealed class Conv2D : BaseConv
{
    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="filters">The number of output channels (&gt; 0).</param>
    /// <param name="kernelSize">The kernel's size: an int for every dimension, or one per dimension.</param>
    /// <param name="strides">The strides (default 1).</param>
    /// <param name="padding">"valid" or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (batch, height, width, channels) or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="dilationRate">The dilation rate (default 1; cannot be combined with strides &gt; 1).</param>
    /// <param name="groups">The number of channel groups (divides the input channels and <paramref name="filters"/>).</param>
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
    public Conv2D(int filters, IntTuple kernelSize, IntTuple? strides = null, string padding = "valid", string? dataFormat = null,
        IntTuple? dilationRate = null, int groups = 1, string? activation = null, bool useBias = true,
        object? kernelInitializer = null, object? biasInitializer = null, object? kernelRegularizer = null,
        object? biasRegularizer = null, object? activityRegularizer = null, object? kernelConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias,
            kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint,
            biasConstraint, inputShape, name)
    {
    }
}
