namespace Sharpkeras.Layers;

/// <summary>Keras's <c>GlobalMaxPooling1D</c>: max over all spatial axes.</summary>
public sealed class GlobalMaxPooling1D : BaseGlobalPooling
{
    /// <summary>Creates the layer.</summary>
    public GlobalMaxPooling1D(string? dataFormat = null, bool keepDims = false, string? name = null) : base(1, true, dataFormat, keepDims, name) { }
}
