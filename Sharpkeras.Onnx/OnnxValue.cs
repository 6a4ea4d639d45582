namespace Sharpkeras.Onnx;

/// <summary>A tensor of the ONNX graph being built: its value name, its Keras shape (batch first, null = unknown) and the name of its Keras mask, if any.</summary>
internal sealed record OnnxValue(string Name, int?[] Shape, string? Mask = null);
