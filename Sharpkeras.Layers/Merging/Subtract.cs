using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The first input minus the second (Keras's <c>Subtract</c>); exactly two inputs. Shapes follow the
/// <see cref="Merge"/> rule; the output mask is the OR of the inputs' masks.
/// </summary>
public sealed class Subtract : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Subtract(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override int? ExactInputs => 2;

    /// <inheritdoc />
    protected override Tensor MergeFunction(Tensor[] inputs, Tensor?[]? masks) => inputs[0] - inputs[1];
}
