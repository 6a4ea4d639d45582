using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// A symbolic tensor of the Functional API (Keras's <c>KerasTensor</c>): a shape, an element type, and the
/// layer call that produces it. <c>Keras.Input</c> creates one; <c>layer.Apply(kerasTensor)</c> makes new ones.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(int?[] shape, ScalarType dtype, Node node, int index, bool hasMask = false)
    {
        Shape = shape;
        DType = dtype;
        Node = node;
        Index = index;
        HasMask = hasMask;
    }

    /// <summary>The shape, batch dimension first (null when variable).</summary>
    public int?[] Shape { get; }

    /// <summary>The element type.</summary>
    public ScalarType DType { get; }

    /// <summary>Whether a mask travels with this tensor (after Embedding(maskZero: true)).</summary>
    public bool HasMask { get; }

    internal Node Node { get; }

    internal int Index { get; }

    /// <summary>The layer that produces this tensor.</summary>
    public Layer Layer => Node.Layer;

    /// <summary>
    /// Lets a tensor made by <c>Keras.Input</c> stand for its input layer, so Keras's
    /// <c>Sequential([Input(shape), Dense(…)])</c> and <c>model.add(Input(shape))</c> read the same in C#:
    /// <c>new Sequential(Keras.Input([3]), new Dense(2))</c>.
    /// </summary>
    /// <param name="tensor">A tensor returned by <c>Keras.Input</c>.</param>
    /// <returns>The <c>InputLayer</c> that produces it.</returns>
    /// <exception cref="System.ArgumentException">The tensor is the output of another layer, not an input.</exception>
    public static implicit operator Layer(KerasTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.Layer is Layers.InputLayer input ? input
            : throw new ArgumentException($"Only a tensor made by Keras.Input stands for a layer (as the first entry of a Sequential model); " +
                                          $"this one is the output of layer '{tensor.Layer.Name}'.", nameof(tensor));
    }

    /// <inheritdoc />
    public override string ToString() => $"<KerasTensor shape={ShapeUtils.Format(Shape)}, dtype={Layer.DTypeName(DType)}, source={Node.Layer.Name}>";
}

/// <summary>One application of a layer to symbolic inputs in the Functional graph.</summary>
internal sealed class Node
{
    public Node(Layer layer, KerasTensor[] inputs, int outputCount)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = new KerasTensor[outputCount];
    }

    public Layer Layer { get; }
    public KerasTensor[] Inputs { get; }
    public KerasTensor[] Outputs { get; set; }
}
