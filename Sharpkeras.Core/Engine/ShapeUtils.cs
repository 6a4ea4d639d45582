using static TorchSharp.torch;

namespace Sharpkeras.Engine;

/// <summary>Shape helpers shared by layers: formatting, compatibility checks, shape inference by running.</summary>
public static class ShapeUtils
{
    /// <summary>Keras's shape notation: (None, 28, 28, 1).</summary>
    /// <param name="shape">A shape whose unknown dimensions are null (printed <c>None</c>); null prints <c>?</c>.</param>
    /// <returns>The shape as Keras prints it, e.g. <c>(None, 28, 28, 1)</c>; a one-dimensional shape keeps Python's trailing comma, <c>(None,)</c>.</returns>
    public static string Format(int?[]? shape) =>
        shape == null ? "?" : "(" + string.Join(", ", shape.Select(d => d?.ToString() ?? "None")) + (shape.Length == 1 ? ",)" : ")");

    /// <summary>Formats a concrete shape the same way.</summary>
    /// <param name="shape">A concrete shape, e.g. a tensor's <c>shape</c>.</param>
    /// <returns>The shape as Keras prints it, e.g. <c>(32, 28, 28, 1)</c>.</returns>
    public static string Format(long[] shape) => Format(shape.Select(d => (int?)(int)d).ToArray());

    /// <summary>A concrete shape with its first (batch) dimension replaced by null.</summary>
    /// <param name="shape">A concrete shape whose first dimension is the batch.</param>
    public static int?[] WithNullBatch(long[] shape)
    {
        var r = new int?[shape.Length];
        for (int i = 1; i < shape.Length; i++) r[i] = (int)shape[i];
        return r;
    }

    /// <summary>Prepends a null batch dimension to a shape given without it.</summary>
    /// <param name="shapeWithoutBatch">The per-sample shape, as given to <c>inputShape</c> or <c>Keras.Input</c>.</param>
    /// <param name="batch">A fixed batch size, or null for a variable one.</param>
    public static int?[] WithBatch(int?[] shapeWithoutBatch, int? batch = null) => [batch, .. shapeWithoutBatch];

    /// <summary>
    /// Checks that <paramref name="actual"/> fits <paramref name="expected"/> (nulls match anything). When
    /// <paramref name="skipFirst"/> is false, <paramref name="expected"/> has no batch dimension and
    /// <paramref name="actual"/> has one.
    /// </summary>
    internal static void CheckCompatible(Layer layer, int?[] expected, long[] actual, bool skipFirst = false)
        => CheckCompatible(layer, expected, actual.Select(d => (int?)(int)d).ToArray(), skipFirst);

    internal static void CheckCompatible(Layer layer, int?[] expected, int?[] actual, bool skipFirst = false)
    {
        var exp = skipFirst ? expected : WithBatch(expected);
        bool ok = exp.Length == actual.Length;
        for (int i = 1; ok && i < exp.Length; i++)
            if (exp[i] is int e && actual[i] is int a && e != a) ok = false;
        if (!ok)
        {
            throw new ArgumentException(
                $"Input of layer '{layer.Name}' ({layer.GetType().Name}) is incompatible: expected shape {Format(exp)}, got {Format(actual)}.");
        }
    }

    /// <summary>Shape inference for layers without a ComputeOutputShape: run on zeros with null dims set to 2 and 3; dims that differ are null.</summary>
    internal static (int?[] shape, ScalarType dtype)[] InferByRunning(Layer layer, int?[][] inputShapes, ScalarType[] inputTypes)
    {
        Tensor[] Run(int fill)
        {
            var device = layer.CurrentDevice ?? Keras.Config.Device;
            var xs = inputShapes.Select((s, i) => zeros(s.Select(d => (long)(d ?? fill)).ToArray(), dtype: inputTypes[i], device: device)).ToArray();
            return layer.Invoke(xs, false, null).outputs;
        }
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        var a = Run(2);
        var b = Run(3);
        var result = new (int?[], ScalarType)[a.Length];
        for (int o = 0; o < a.Length; o++)
        {
            var sa = a[o].shape; var sb = b[o].shape;
            var s = new int?[sa.Length];
            for (int i = 0; i < sa.Length; i++) s[i] = i == 0 || sa[i] != sb[i] ? null : (int)sa[i];
            result[o] = (s, a[o].dtype);
        }
        return result;
    }
}
