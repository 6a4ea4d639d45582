namespace Sharpkeras.Layers;

/// <summary>Keras's <c>MaxPooling2D</c>: max over windows of <c>poolSize</c> (strides default to poolSize).</summary>
public sealed class MaxPooling2D : BasePooling
{
    /// <summary>Creates the layer with one size for every axis.</summary>
    public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null)
        : base(2, true, [poolSize], strides is int s ? [s] : null, padding, dataFormat, name) { }

    /// <summary>Creates the layer with a size per axis.</summary>
    public MaxPooling2D(int[] poolSize, int[]? strides = null, string padding = "valid", string? dataFormat = null, string? name = null)
        : base(2, true, poolSize, strides, padding, dataFormat, name) { }
}
