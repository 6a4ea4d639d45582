using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Multiplies the inputs by 1-centered Gaussian noise of standard deviation sqrt(rate / (1 − rate)) in training (Keras's
/// <c>GaussianDropout</c>); identity at inference.
/// </summary>
public sealed class GaussianDropout : Layer
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">The drop probability the noise stands for, in [0, 1] (Keras's range).</param>
    /// <param name="seed">Optional seed for reproducible noise (otherwise torch's generator, seeded by <see cref="Keras.Config.Seed"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GaussianDropout(double rate, int? seed = null, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        Rate = DropoutArgs.Rate(rate, "GaussianDropout", allowOne: true);
        Seed = seed;
        _generator = DropoutArgs.SeededGenerator(seed);
        SupportsMasking = true;
    }

    /// <summary>The drop probability.</summary>
    public double Rate { get; }

    /// <summary>The seed, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (!training || Rate == 0) return inputs;
        double stddev = Math.Sqrt(Rate / (1.0 - Rate));
        var noise = _generator is null
            ? torch.randn(inputs.shape, dtype: inputs.dtype, device: inputs.device)
            : HostToDevice.To(torch.randn(inputs.shape, generator: _generator, dtype: inputs.dtype), inputs.device);
        return inputs * (noise * stddev + 1.0);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = Seed;
        return c;
    }
}
