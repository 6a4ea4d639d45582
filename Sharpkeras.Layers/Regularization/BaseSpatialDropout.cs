using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The shared body of <see cref="SpatialDropout1D"/> and <see cref="SpatialDropout2D"/> (Keras's
/// <c>BaseSpatialDropout</c>): in training, whole feature maps (channels) are dropped with probability <c>rate</c>
/// per sample and the kept ones are scaled by 1/(1 − rate); at inference the layer is the identity.
/// </summary>
public abstract class BaseSpatialDropout : Layer
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of channels to drop, in [0, 1).</param>
    /// <param name="seed">Optional seed for reproducible masks (otherwise torch's generator, seeded by <see cref="Keras.Config.Seed"/>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    protected BaseSpatialDropout(double rate, int? seed, int?[]? inputShape, string? name) : base(name, inputShape: inputShape)
    {
        Rate = DropoutArgs.Rate(rate, GetType().Name, allowOne: false);
        Seed = seed;
        _generator = DropoutArgs.SeededGenerator(seed);
        SupportsMasking = true;
    }

    /// <summary>The fraction of channels dropped in training.</summary>
    public double Rate { get; }

    /// <summary>The seed, if any.</summary>
    public int? Seed { get; }

    /// <summary>The input rank (batch included) the layer takes.</summary>
    protected abstract int Rank { get; }

    /// <summary>The expected layout, for error messages.</summary>
    protected abstract string Layout { get; }

    /// <summary>The shape of the keep mask for an input: the batch and channel sizes, 1 elsewhere.</summary>
    /// <param name="inputShape">The input's concrete shape.</param>
    /// <returns>The keep mask's shape, broadcast over the spatial dimensions so whole feature maps are dropped.</returns>
    protected abstract long[] NoiseShape(long[] inputShape);

    /// <inheritdoc />
    public override void Build(int?[] inputShape) => ReshapingArgs.CheckRank(this, inputShape, Rank, Layout);

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs) => ReshapingArgs.CheckRank(this, inputs[0].shape, Rank, Layout);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        if (!training || Rate == 0) return inputs;
        var shape = NoiseShape(inputs.shape);
        var u = _generator is null
            ? torch.rand(shape, dtype: inputs.dtype, device: inputs.device)
            : HostToDevice.To(torch.rand(shape, generator: _generator, dtype: inputs.dtype), inputs.device);
        return inputs * u.ge(Rate).to(inputs.dtype) / (1.0 - Rate);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ReshapingArgs.CheckRank(this, inputShape, Rank, Layout);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = Seed;
        return c;
    }
}
