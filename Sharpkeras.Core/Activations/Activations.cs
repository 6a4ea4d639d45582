using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// Keras's activation functions by name (<c>keras.activations</c>): linear relu sigmoid tanh softmax
/// leaky_relu elu selu gelu swish silu softplus softsign hard_sigmoid exponential relu6 log_softmax mish.
/// </summary>
public static class Activations
{
    /// <summary>Every alias <see cref="Get(string?)"/> accepts.</summary>
    public static readonly string[] Aliases =
    [
        "linear", "relu", "sigmoid", "tanh", "softmax", "leaky_relu", "elu", "selu", "gelu", "swish", "silu",
        "softplus", "softsign", "hard_sigmoid", "exponential", "relu6", "log_softmax", "mish", "hard_silu", "hard_swish",
    ];

    /// <summary>Returns the function for an alias (null or "linear": identity).</summary>
    public static Func<Tensor, Tensor> Get(string? name) => name switch
    {
        null or "linear" or "" => x => x,
        "relu" => x => nn.functional.relu(x),
        "sigmoid" => x => x.sigmoid(),
        "tanh" => x => x.tanh(),
        "softmax" => x => x.softmax(-1),
        "log_softmax" => x => x.log_softmax(-1),
        // Keras's leaky_relu default negative_slope is 0.2.
        "leaky_relu" => x => nn.functional.leaky_relu(x, 0.2),
        "elu" => x => nn.functional.elu(x, 1.0),
        "selu" => x => nn.functional.selu(x),
        // keras.activations.gelu defaults to approximate=False: the exact x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)).
        "gelu" => x => nn.functional.gelu(x),
        "swish" or "silu" => x => nn.functional.silu(x),
        "softplus" => x => nn.functional.softplus(x),
        "softsign" => x => nn.functional.softsign(x),
        // Keras 3: hard_sigmoid(x) = relu6(x + 3) / 6.
        "hard_sigmoid" => x => nn.functional.hardsigmoid(x),
        "hard_silu" or "hard_swish" => x => nn.functional.hardswish(x),
        "exponential" => x => x.exp(),
        "relu6" => x => nn.functional.relu6(x),
        "mish" => x => nn.functional.mish(x),
        _ => throw new ArgumentException($"Unknown activation '{name}'. Valid: {string.Join(", ", Aliases)}.", nameof(name)),
    };

    /// <summary>Checks an alias, returning it (null stays null).</summary>
    public static string? Validate(string? name, string argument = "activation")
    {
        if (name is null) return null;
        if (!Aliases.Contains(name))
            throw new ArgumentException($"Unknown activation '{name}'. Valid: {string.Join(", ", Aliases)}.", argument);
        return name;
    }
}
