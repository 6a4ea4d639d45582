using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Keras's <c>LeakyReLU</c>: x for x ≥ 0, negativeSlope·x otherwise (Keras 3 default negativeSlope 0.3).</summary>
public sealed class LeakyReLU : Layer
{
    /// <summary>Creates the layer.</summary>
    public LeakyReLU(double negativeSlope = 0.3, string? name = null) : base(name)
    {
        if (!(negativeSlope >= 0)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "LeakyReLU: negativeSlope must be >= 0.");
        NegativeSlope = negativeSlope;
        SupportsMasking = true;
    }

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => nn.functional.leaky_relu(inputs, NegativeSlope);

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["negative_slope"] = NegativeSlope;
        return c;
    }
}
