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
    /// <param name="dtype">Dtype policy or its name (default the global policy). Under mixed precision Keras advises a
    /// float32 final activation: <c>new Activation("softmax", dtype: "float32")</c>.</param>
    public Activation(string activation, int?[]? inputShape = null, string? name = null, DTypePolicy? dtype = null)
        : base(name, inputShape: inputShape, dtype: dtype)
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
    /// <remarks>Every activation keeps the shape except <c>"glu"</c>, which halves the last axis (Keras's Activation layer
    /// reports the input shape there too, which then disagrees with what its call returns).</remarks>
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (ActivationName != "glu" || inputShape.Length == 0) return inputShape;
        var shape = inputShape.ToArray();
        if (shape[^1] is int last)
        {
            if (last % 2 != 0)
                throw new ArgumentException($"Layer '{Name}' (Activation \"glu\"): the last axis must have an even length; got {last}.", nameof(inputShape));
            shape[^1] = last / 2;
        }
        return shape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = ActivationName;
        return c;
    }
}
