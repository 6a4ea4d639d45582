namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalAveragePooling1D</c>: average over all spatial axes.</summary>
public sealed class GlobalAveragePooling1D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalAveragePooling1D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(1, false, dataFormat, keepDims, name) { }
}
