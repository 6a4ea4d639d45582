using Sharpkeras.Engine;

namespace Sharpkeras.Layers;

/// <summary>
/// Argument and shape checks shared by the reshaping, merging, activation and regularization layers:
/// (before, after) pairs as Keras's <c>standardize_tuple</c> reads them, rank checks, data formats.
/// </summary>
internal static class ReshapingArgs
{
    /// <summary>A non-negative (before, after) pair; <paramref name="what"/> is the argument's name.</summary>
    public static (int before, int after) Pair(int before, int after, string what, string owner, bool allowZero = true)
    {
        int min = allowZero ? 0 : 1;
        if (before < min || after < min)
            throw new ArgumentOutOfRangeException(what, $"({before}, {after})",
                $"{owner}: every value of '{what}' must be >= {min}; got ({before}, {after}).");
        return (before, after);
    }

    /// <summary>An int or a pair given as an array of 1 or 2 values (Keras's "int or tuple of 2 ints").</summary>
    public static (int before, int after) Pair(int[] values, string what, string owner, bool allowZero = true)
    {
        ArgumentNullException.ThrowIfNull(values, what);
        return values.Length switch
        {
            1 => Pair(values[0], values[0], what, owner, allowZero),
            2 => Pair(values[0], values[1], what, owner, allowZero),
            _ => throw new ArgumentException(
                $"{owner}: '{what}' must be an int or a tuple of 2 ints; got {values.Length} values ({string.Join(", ", values)}).", what),
        };
    }

    /// <summary>
    /// Keras's 2D padding/cropping argument from nested arrays: [[top, bottom], [left, right]], where each inner
    /// entry may also be a single int (symmetric).
    /// </summary>
    public static ((int, int) rows, (int, int) cols) Pairs2D(int[][] values, string what, string owner)
    {
        ArgumentNullException.ThrowIfNull(values, what);
        if (values.Length != 2 || values.Any(v => v is null))
            throw new ArgumentException(
                $"{owner}: '{what}' must be ((top, bottom), (left, right)): 2 entries of 1 or 2 ints each; got {values.Length} entries.", what);
        return (Pair(values[0], $"{what}[0]", owner), Pair(values[1], $"{what}[1]", owner));
    }

    /// <summary>"channels_last" or "channels_first" (null: <see cref="Keras.Config.ImageDataFormat"/>).</summary>
    public static string DataFormat(string? dataFormat, string owner)
    {
        var f = dataFormat ?? Keras.Config.ImageDataFormat;
        if (f is "channels_last" or "channels_first") return f;
        throw new ArgumentException($"{owner}: dataFormat must be 'channels_last' or 'channels_first'; got '{dataFormat}'.", nameof(dataFormat));
    }

    /// <summary>Checks that an input shape (batch included) has <paramref name="rank"/> dimensions.</summary>
    public static void CheckRank(Layer layer, int?[] shape, int rank, string layout)
    {
        if (shape.Length != rank)
            throw new ArgumentException(
                $"Input of layer '{layer.Name}' ({layer.GetType().Name}) must have rank {rank} {layout}; got shape {ShapeUtils.Format(shape)} (rank {shape.Length}).");
    }

    /// <summary>Checks the rank of a real input.</summary>
    public static void CheckRank(Layer layer, long[] shape, int rank, string layout)
    {
        if (shape.Length != rank)
            throw new ArgumentException(
                $"Input of layer '{layer.Name}' ({layer.GetType().Name}) must have rank {rank} {layout}; got shape {ShapeUtils.Format(shape)} (rank {shape.Length}).");
    }

    /// <summary>A concrete shape as a nullable one (for shared shape arithmetic).</summary>
    public static int?[] Nullable(long[] shape) => shape.Select(d => (int?)(int)d).ToArray();

    /// <summary>Float inputs become the layer's compute type; integer and bool inputs keep theirs (shape-only layers).</summary>
    public static TorchSharp.torch.ScalarType KeepType(Layer layer, TorchSharp.torch.ScalarType input) =>
        input.IsFloat() ? layer.ComputeDType : input;
}
