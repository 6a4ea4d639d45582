namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalMaxPooling2D</c>: max over all spatial axes.</summary>
public sealed class GlobalMaxPooling2D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalMaxPooling2D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(2, true, dataFormat, keepDims, name) { }
}
