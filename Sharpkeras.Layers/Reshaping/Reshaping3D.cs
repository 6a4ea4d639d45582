namespace Sharpkeras.Layers;

/// <summary>Argument helpers of the 3D reshaping layers (<see cref="ZeroPadding3D"/>, <see cref="Cropping3D"/>, <see cref="UpSampling3D"/>).</summary>
internal static class Reshaping3D
{
    /// <summary>Keras's 3D padding/cropping argument from nested arrays: three entries of (before, after) or one int (symmetric).</summary>
    public static (int Before, int After)[] Pairs(int[][] values, string what, string owner)
    {
        ArgumentNullException.ThrowIfNull(values, what);
        if (values.Length != 3 || values.Any(v => v is null))
            throw new ArgumentException(
                $"{owner}: '{what}' must be ((before, after), (before, after), (before, after)): 3 entries of 1 or 2 ints each; got {values.Length} entries.", what);
        return values.Select((v, i) => ReshapingArgs.Pair(v, $"{what}[{i}]", owner)).Select(p => (p.before, p.after)).ToArray();
    }

    /// <summary>The layout text for error messages.</summary>
    public static string Layout(string dataFormat) =>
        dataFormat == "channels_last" ? "(batch, dim1, dim2, dim3, channels)" : "(batch, channels, dim1, dim2, dim3)";

    /// <summary>The axis of dim1: 1 (channels_last) or 2 (channels_first).</summary>
    public static int FirstSpatialAxis(string dataFormat) => dataFormat == "channels_last" ? 1 : 2;
}
