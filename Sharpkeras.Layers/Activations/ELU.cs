using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The exponential linear unit (Keras's <c>ELU</c> layer): <c>x</c> for <c>x ≥ 0</c>,
/// <c>alpha · (exp(x) − 1)</c> otherwise (default alpha 1.0).
/// </summary>
public sealed class ELU : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="alpha">Scale of the negative part (finite; default 1.0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public ELU(double alpha = 1.0, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (!double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"ELU: alpha must be a finite number; got {alpha}.");
        Alpha = alpha;
        SupportsMasking = true;
    }

    /// <summary>Scale of the negative part.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => nn.functional.elu(inputs, Alpha);

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["alpha"] = Alpha;
        return c;
    }
}
