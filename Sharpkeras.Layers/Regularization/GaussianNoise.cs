using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Adds zero-centered Gaussian noise of standard deviation <c>stddev</c> in training (Keras's <c>GaussianNoise</c>);
/// identity at inference.
/// </summary>
public sealed class GaussianNoise : Layer
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="stddev">Standard deviation of the noise, in [0, 1] (Keras's bound).</param>
    /// <param name="seed">Optional seed for reproducible noise (otherwise torch's generator, seeded by <see cref="Keras.Config.Seed"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GaussianNoise(double stddev, int? seed = null, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (!(stddev >= 0 && stddev <= 1))
            throw new ArgumentOutOfRangeException(nameof(stddev), stddev, $"GaussianNoise: stddev must be in [0, 1]; got {stddev}.");
        Stddev = stddev;
        Seed = seed;
        _generator = DropoutArgs.SeededGenerator(seed);
        SupportsMasking = true;
    }

    /// <summary>Standard deviation of the noise.</summary>
    public double Stddev { get; }

    /// <summary>The seed, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (!training || Stddev == 0) return inputs;
        var noise = _generator is null
            ? torch.randn(inputs.shape, dtype: inputs.dtype, device: inputs.device)
            : HostToDevice.To(torch.randn(inputs.shape, generator: _generator, dtype: inputs.dtype), inputs.device);
        return inputs + noise * Stddev;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["stddev"] = Stddev;
        c["seed"] = Seed;
        return c;
    }
}
