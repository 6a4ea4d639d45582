namespace Sharpkeras.Layers;

/// <summary>Keras's <c>AveragePooling3D</c>: average over windows of <c>poolSize</c> (strides default to poolSize).</summary>
public sealed class AveragePooling3D : BasePooling
{
    /// <summary>Creates the layer with one size for every axis.</summary>
    public AveragePooling3D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null)
        : base(3, false, [poolSize], strides is int s ? [s] : null, padding, dataFormat, name) { }

    /// <summary>Creates the layer with a size per axis.</summary>
    public AveragePooling3D(int[] poolSize, int[]? strides = null, string padding = "valid", string? dataFormat = null, string? name = null)
        : base(3, false, poolSize, strides, padding, dataFormat, name) { }
}
