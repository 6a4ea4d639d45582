using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The leaky rectified linear unit (Keras's <c>LeakyReLU</c> layer): <c>x</c> for <c>x ≥ 0</c>,
/// <c>negativeSlope · x</c> otherwise. The layer's default slope is Keras 3's 0.3 (the "leaky_relu" activation
/// alias uses 0.2, as in Keras).
/// </summary>
public sealed class LeakyReLU : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="negativeSlope">Slope for negative inputs (≥ 0, default 0.3).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public LeakyReLU(double negativeSlope = 0.3, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, $"LeakyReLU: negativeSlope must be a finite value >= 0; got {negativeSlope}.");
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
