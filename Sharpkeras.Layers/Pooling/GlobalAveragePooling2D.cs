namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalAveragePooling2D</c>: average over all spatial axes.</summary>
public sealed class GlobalAveragePooling2D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalAveragePooling2D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(2, false, dataFormat, keepDims, name) { }
}
