namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalMaxPooling3D</c>: max over all spatial axes.</summary>
public sealed class GlobalMaxPooling3D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalMaxPooling3D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(3, true, dataFormat, keepDims, name) { }
}
