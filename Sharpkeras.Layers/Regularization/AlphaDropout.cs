using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Dropout that keeps SELU's self-normalizing mean and variance (Keras's <c>AlphaDropout</c>): in training, dropped units are set
/// to α' = −λα (SELU's negative saturation) instead of 0, then the result is mapped by a·x + b with
/// a = ((1 − rate)(1 + rate·α'²))^−½ and b = −a·α'·rate. Identity at inference.
/// </summary>
public sealed class AlphaDropout : Layer
{
    private const double Alpha = 1.6732632423543772848170429916717, Scale = 1.0507009873554804934193349852946;
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of units to drop, in [0, 1] (Keras's range).</param>
    /// <param name="noiseShape">Shape of the keep mask (null entries take the input's size; null: the input's shape), as Keras's <c>noise_shape</c>.</param>
    /// <param name="seed">Optional seed for reproducible masks.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public AlphaDropout(double rate, int?[]? noiseShape = null, int? seed = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (noiseShape is not null && noiseShape.Any(d => d is <= 0))
            throw new ArgumentException($"AlphaDropout: noiseShape entries must be positive or null; got [{string.Join(", ", noiseShape)}].", nameof(noiseShape));
        Rate = DropoutArgs.Rate(rate, "AlphaDropout", allowOne: true);
        NoiseShape = noiseShape?.ToArray();
        Seed = seed;
        _generator = DropoutArgs.SeededGenerator(seed);
        SupportsMasking = true;
    }

    /// <summary>The fraction of units dropped in training.</summary>
    public double Rate { get; }

    /// <summary>The keep mask's shape (null entries: the input's size), or null.</summary>
    public int?[]? NoiseShape { get; }

    /// <summary>The seed, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (!training || Rate == 0) return inputs;
        long[] shape = inputs.shape;
        if (NoiseShape is not null)
        {
            if (NoiseShape.Length != shape.Length)
                throw new ArgumentException($"Layer '{Name}' (AlphaDropout): noiseShape [{string.Join(", ", NoiseShape)}] does not have the input's rank {shape.Length}.", nameof(inputs));
            shape = NoiseShape.Select((d, i) => d is int v ? v : shape[i]).ToArray();
        }
        var u = _generator is null
            ? torch.rand(shape, dtype: inputs.dtype, device: inputs.device)
            : HostToDevice.To(torch.rand(shape, generator: _generator, dtype: inputs.dtype), inputs.device);
        double alphaP = -Alpha * Scale;
        var kept = u.ge(Rate).to(inputs.dtype);
        double a = Math.Pow((1 - Rate) * (1 + Rate * alphaP * alphaP), -0.5);
        double b = -a * alphaP * Rate;
        var x = inputs * kept + alphaP * (1.0 - kept);
        return a * x + b;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = Seed;
        c["noise_shape"] = NoiseShape?.ToArray();
        return c;
    }
}
