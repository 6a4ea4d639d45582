using System.Globalization;
using Sharpkeras.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Base of the image preprocessing and augmentation layers (Keras's <c>BaseImagePreprocessingLayer</c>).
/// Inputs are a batch (N, H, W, C) or one image (H, W, C) in "channels_last" (the default,
/// <see cref="Keras.Config.ImageDataFormat"/>), or (N, C, H, W) / (C, H, W) in "channels_first". Integer
/// images are cast to float32. The random layers draw one transformation per image for the whole batch at
/// once (no per-image loops) from their own generator, seeded by <c>seed</c> (or from the library generator,
/// which <see cref="Keras.Config.Seed"/> seeds), and are the identity when <c>training</c> is false.
/// </summary>
public abstract class BaseImagePreprocessingLayer : Layer
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat">"channels_last" or "channels_first" (default <see cref="Keras.Config.ImageDataFormat"/>).</param>
    /// <param name="seed">Seed of the layer's random generator (random layers only).</param>
    /// <param name="random">Whether the layer draws random numbers (then it owns a generator).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    private protected BaseImagePreprocessingLayer(string? dataFormat, int? seed, bool random, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        dataFormat ??= Keras.Config.ImageDataFormat;
        if (dataFormat != "channels_last" && dataFormat != "channels_first")
            throw new ArgumentException($"{GetType().Name}: dataFormat must be \"channels_last\" or \"channels_first\"; got \"{dataFormat}\".", nameof(dataFormat));
        DataFormat = dataFormat;
        Seed = seed;
        if (random) _generator = new Generator(seed is int s ? (ulong)s : (ulong)RandomState.NextSeed(), torch.CPU);
        // Like Keras's preprocessing layers (built at init): no weights, any image size; inputs are checked per call.
        Built = true;
    }

    /// <summary>"channels_last" (N, H, W, C) or "channels_first" (N, C, H, W).</summary>
    public string DataFormat { get; }

    /// <summary>The seed given at construction, if any.</summary>
    public int? Seed { get; }

    /// <summary>Whether images are (…, H, W, C).</summary>
    private protected bool ChannelsLast => DataFormat == "channels_last";

    /// <summary>The layer's random generator (CPU; the few numbers per batch are moved to the images' device).</summary>
    private protected Generator RandomGenerator => _generator ?? throw new InvalidOperationException($"Layer '{Name}' has no random generator.");

    /// <summary>Checks an input shape: rank 3 (one image) or 4 (a batch).</summary>
    private protected void CheckImageShape(int?[] shape)
    {
        if (shape.Length != 3 && shape.Length != 4)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) must be an image of rank 3 ({(ChannelsLast ? "height, width, channels" : "channels, height, width")}) or a batch of rank 4; got shape {ShapeUtils.Format(shape)}.");
    }

    /// <summary>Checks the rank of the input shape.</summary>
    /// <param name="inputShape">The input shape: (batch, height, width, channels) or one image (height, width, channels), in the layer's data format.</param>
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckImageShape(inputShape);
    }

    /// <summary>Checks that every input is an image (rank 3) or a batch of images (rank 4); sizes may vary between calls.</summary>
    /// <param name="inputs">The real inputs (one tensor).</param>
    /// <exception cref="System.ArgumentException">Not exactly one input, an input that is neither rank 3 nor rank 4, or an empty one.</exception>
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs.Length != 1)
            throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) takes 1 input, got {inputs.Length}.", nameof(inputs));
        var x = inputs[0];
        if (x.dim() != 3 && x.dim() != 4)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({GetType().Name}) must be an image of rank 3 ({(ChannelsLast ? "height, width, channels" : "channels, height, width")}) or a batch of rank 4; got shape {ShapeUtils.Format(x.shape)}.");
        if (x.shape.Any(d => d == 0))
            throw new ArgumentException($"Input of layer '{Name}' ({GetType().Name}) is empty: shape {ShapeUtils.Format(x.shape)}.");
    }

    /// <summary>Adds a batch axis to a single image, runs <see cref="TransformImages"/>, and removes it again.</summary>
    /// <param name="inputs">A batch of images (rank 4) or one image (rank 3).</param>
    /// <param name="training">Random augmentation layers transform only when true, as in Keras; deterministic ones (resizing, cropping) transform in both modes.</param>
    public sealed override Tensor Call(Tensor inputs, bool training)
    {
        bool unbatched = inputs.dim() == 3;
        var x = unbatched ? inputs.unsqueeze(0) : inputs;
        var y = TransformImages(x, training);
        return unbatched ? y.squeeze(0) : y;
    }

    /// <summary>Transforms a batch (N, H, W, C) or (N, C, H, W) (per <see cref="DataFormat"/>).</summary>
    private protected abstract Tensor TransformImages(Tensor images, bool training);

    /// <summary>The (N, C, H, W) view of a batch.</summary>
    private protected Tensor ToNchw(Tensor images) => ChannelsLast ? images.permute(0, 3, 1, 2) : images;

    /// <summary>Back from (N, C, H, W) to the layer's data format.</summary>
    private protected Tensor FromNchw(Tensor nchw) => ChannelsLast ? nchw.permute(0, 2, 3, 1) : nchw;

    /// <summary>Height and width of a batch.</summary>
    private protected (long height, long width) ImageSize(Tensor images) =>
        ChannelsLast ? (images.shape[1], images.shape[2]) : (images.shape[2], images.shape[3]);

    /// <summary><paramref name="count"/> uniform numbers in [lo, hi) from the layer's generator, as float64 on the CPU.</summary>
    private protected Tensor Uniform(long count, double lo, double hi) =>
        torch.rand([count], dtype: ScalarType.Float64, generator: RandomGenerator) * (hi - lo) + lo;

    /// <summary>The output shape (default: the input shape).</summary>
    /// <param name="inputShape">The input shape (rank 3 or 4).</param>
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckImageShape(inputShape);
        return inputShape;
    }

    /// <summary>An input shape with new height and width (rank 3 = one image, rank 4 = a batch).</summary>
    private protected int?[] WithSize(int?[] inputShape, int height, int width)
    {
        CheckImageShape(inputShape);
        var s = (int?[])inputShape.Clone();
        int off = s.Length == 4 ? 1 : 0;
        int hAxis = ChannelsLast ? off : off + 1;
        s[hAxis] = height;
        s[hAxis + 1] = width;
        return s;
    }

    /// <summary>Checks a Keras option against its valid values; throws ArgumentException naming the argument.</summary>
    private protected string CheckOption(string? value, string argument, string[] valid)
    {
        if (value is null || !valid.Contains(value))
            throw new ArgumentException(
                $"{GetType().Name}: unknown {argument} \"{value}\". Valid: {string.Join(", ", valid.Select(v => $"\"{v}\""))}.", argument);
        return value;
    }

    /// <summary>
    /// Keras's factor range check: each number must lie in [<paramref name="min"/>, <paramref name="max"/>]
    /// (with <paramref name="minExclusive"/> the lower bound is excluded); a single number f gives (−|f|, |f|)
    /// clipped below at <paramref name="min"/>, a pair is sorted.
    /// </summary>
    private protected (double lower, double upper) ParseFactor(FactorRange factor, string argument, double min, double max, bool minExclusive = false)
    {
        bool Bad(double v) => double.IsNaN(v) || v > max || (minExclusive ? v <= min : v < min);
        string range = FormattableString.Invariant($"{(minExclusive ? "(" : "[")}{min}, {max}]");
        if (Bad(factor.Lower) || Bad(factor.Upper))
            throw new ArgumentOutOfRangeException(argument, factor.ToString(),
                $"{GetType().Name}: {argument} must be a number or a pair of numbers in the range {range}; got {factor}.");
        if (factor.IsPair) return (Math.Min(factor.Lower, factor.Upper), Math.Max(factor.Lower, factor.Upper));
        double f = Math.Abs(factor.Lower);
        return (Math.Max(-f, min), f);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }

    /// <summary>Formats a number for messages.</summary>
    private protected static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
}
