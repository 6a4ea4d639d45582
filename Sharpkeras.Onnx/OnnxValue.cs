using static TorchSharp.torch;

namespace Sharpkeras.Onnx;

/// <summary>
/// A tensor of the ONNX graph being built: its value name, its Keras shape (batch first, null = unknown), the name of
/// its Keras mask (a bool (batch, steps) value), if any, and its element type (float32 unless said otherwise).
/// </summary>
internal sealed record OnnxValue(string Name, int?[] Shape, string? Mask = null, ScalarType DType = ScalarType.Float32);
