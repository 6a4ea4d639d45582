using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The entry point of a Functional model (Keras's <c>InputLayer</c>), made by <see cref="Keras.Input(int?[], int?, string?, ScalarType)"/>.
/// It has no weights and passes its input through.
/// </summary>
public sealed class InputLayer : Layer
{
    /// <summary>Creates an input layer for <paramref name="shape"/> (batch dimension excluded).</summary>
    /// <param name="shape">The shape without the batch dimension; null for a variable dimension.</param>
    /// <param name="batchSize">Optional fixed batch size (default: variable).</param>
    /// <param name="name">The layer's name (default: an automatic unique name).</param>
    /// <param name="dtype">The element type of the input (default float32).</param>
    /// <exception cref="System.ArgumentException">A dimension of <paramref name="shape"/> is zero or negative.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public InputLayer(int?[] shape, int? batchSize = null, string? name = null, ScalarType dtype = ScalarType.Float32)
        : base(name, dtype: dtype)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d is <= 0))
            throw new ArgumentException($"InputLayer: shape dimensions must be positive or null; got {ShapeUtils.Format(shape)}.", nameof(shape));
        if (batchSize is <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be positive.");
        BatchShape = ShapeUtils.WithBatch(shape, batchSize);
        AcceptsIntegerInput = true;
        SupportsMasking = true;
        Built = true;
        OutputShape = BatchShape;
        var node = new Node(this, [], 1);
        Output = new KerasTensor(BatchShape, dtype, node, 0);
        node.Outputs = [Output];
        InboundNodes.Add(node);
    }

    /// <summary>The full input shape, batch dimension first.</summary>
    public int?[] BatchShape { get; }

    /// <summary>The symbolic tensor this layer produces.</summary>
    public KerasTensor Output { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => inputs;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["batch_shape"] = BatchShape;
        return c;
    }
}
