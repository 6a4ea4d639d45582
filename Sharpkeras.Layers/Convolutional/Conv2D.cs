namespace Sharpkeras.Layers;

/// <summary>
/// Keras's <c>Conv2D</c>: 2-D convolution over images (batch, height, width, channels). Kernel (k…, in/groups, filters) with Keras's defaults (glorot_uniform kernel,
/// zero bias, strides 1, padding "valid", channels_last).
/// </summary>
public sealed class Conv2D : BaseConv
{
    /// <summary>Creates the layer with one kernel size for every spatial axis.</summary>
    public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
        int groups = 1, string? activation = null, bool useBias = true, object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null, object? kernelConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, filters, [kernelSize], [strides], padding, dataFormat, [dilationRate], groups, activation, useBias, kernelInitializer,
            biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, inputShape, name) { }

    /// <summary>Creates the layer with a kernel size (and optionally strides/dilation) per spatial axis.</summary>
    public Conv2D(int filters, int[] kernelSize, int[]? strides = null, string padding = "valid", string? dataFormat = null, int[]? dilationRate = null,
        int groups = 1, string? activation = null, bool useBias = true, object? kernelInitializer = null, object? biasInitializer = null,
        object? kernelRegularizer = null, object? biasRegularizer = null, object? activityRegularizer = null, object? kernelConstraint = null,
        object? biasConstraint = null, int?[]? inputShape = null, string? name = null)
        : base(2, filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias, kernelInitializer,
            biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, inputShape, name) { }
}
