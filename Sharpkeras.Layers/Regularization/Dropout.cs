using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Sets a fraction <c>rate</c> of inputs to 0 during training and scales the rest by 1/(1-rate)
/// (Keras's <c>Dropout</c>); identity at inference.
/// </summary>
public sealed class Dropout : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction to drop, in [0, 1).</param>
    /// <param name="noiseShape">Shape of the binary mask (null dims take the input's), to drop whole features.</param>
    /// <param name="seed">Optional seed.</param>
    /// <param name="name">Layer name.</param>
    public Dropout(double rate, int?[]? noiseShape = null, int? seed = null, string? name = null) : base(name)
    {
        Rate = DropoutArgs.Rate(rate, "Dropout", allowOne: false);
        NoiseShape = noiseShape;
        Seed = seed;
        SupportsMasking = true;
        _generator = DropoutArgs.SeededGenerator(seed);
    }

    private readonly Generator? _generator;

    /// <summary>The drop fraction.</summary>
    public double Rate { get; }

    /// <summary>The mask shape, or null for the input's.</summary>
    public int?[]? NoiseShape { get; }

    /// <summary>The seed, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (!training || Rate == 0) return inputs;
        if (NoiseShape == null && _generator == null) return nn.functional.dropout(inputs, Rate, training: true);
        var shape = NoiseShape == null ? inputs.shape
            : NoiseShape.Select((d, i) => (long)(d ?? (int)inputs.shape[i])).ToArray();
        var keep = torch.rand(shape, generator: _generator, dtype: inputs.dtype).to(inputs.device).ge(Rate);
        return inputs * keep.to(inputs.dtype) / (1.0 - Rate);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate; c["noise_shape"] = NoiseShape; c["seed"] = Seed;
        return c;
    }
}
