using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>Element-type helpers.</summary>
public static class DTypeExtensions
{
    /// <summary>Whether the type is a floating-point type.</summary>
    /// <param name="t">The element type (float16, bfloat16, float32 and float64 are floating point).</param>
    public static bool IsFloat(this ScalarType t) => torch.is_floating_point(t);

    /// <summary>Whether the type is an integer type (int8/16/32/64 or uint8; bool is not).</summary>
    /// <param name="t">The element type.</param>
    public static bool IsInteger(this ScalarType t) =>
        t is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;

    /// <summary>Whether the type is complex.</summary>
    /// <param name="t">The element type.</param>
    public static bool IsComplexType(this ScalarType t) => t is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;
}
