using Sharpkeras.Regularizers;

namespace Sharpkeras.Layers;

/// <summary>Argument resolution and config serialization shared by the recurrent, convolution, Dense and Embedding layers (weights: <see cref="WeightSpec"/>).</summary>
internal static class LayerArguments
{
    /// <summary>Resolves a regularizer alias or object (null stays null), naming the argument on failure.</summary>
    public static Regularizer? Regularizer(object? identifier, string argument)
    {
        try { return Regularizers.Regularizer.Get(identifier); }
        catch (ArgumentException e) { throw new ArgumentException($"{argument}: {e.Message}", argument, e); }
    }

    /// <summary>Resolves an activation alias (null = linear), naming the argument on failure.</summary>
    public static Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Activation(string? name, string argument)
    {
        Activations.Validate(name, argument);
        return Activations.Get(name);
    }

    /// <summary>
    /// The JSON-friendly config value of an initializer, regularizer or constraint argument: the alias string
    /// when one was given, null for none, else Keras's serialized form {"class_name", "config"}.
    /// </summary>
    public static object? Describe(object? given) => WeightSpec.Describe(given);

    /// <summary>The config value of an activation: its alias, "linear" for none.</summary>
    public static string DescribeActivation(string? name) => name ?? "linear";
}
