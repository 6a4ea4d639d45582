using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>Applies an activation function by alias (Keras's <c>Activation</c>).</summary>
public sealed class Activation : Layer
{
    private readonly Func<Tensor, Tensor> _fn;

    /// <summary>Creates the layer.</summary>
    /// <param name="activation">The activation's alias, e.g. "relu", "sigmoid", "softmax", "gelu" (see <c>Activations</c>).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Activation(string activation, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(activation);
        ActivationName = Activations.Validate(activation)!;
        _fn = Activations.Get(activation);
        SupportsMasking = true;
    }

    /// <summary>The activation alias.</summary>
    public string ActivationName { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => _fn(inputs);

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = ActivationName;
        return c;
    }
}
