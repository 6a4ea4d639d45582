namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalAveragePooling3D</c>: average over all spatial axes.</summary>
public sealed class GlobalAveragePooling3D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalAveragePooling3D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(3, false, dataFormat, keepDims, name) { }
}
