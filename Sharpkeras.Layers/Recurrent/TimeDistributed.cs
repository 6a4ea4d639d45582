using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Applies a layer to every temporal slice of an input (Keras's <c>keras.layers.TimeDistributed</c>): input
/// (batch, time, …) → the layer's output for each (batch, …) slice, stacked as (batch, time, …). The same
/// weights serve every timestep.
/// </summary>
/// <remarks>
/// Computed in one call by folding time into the batch: (batch·time, …) through the layer, then reshaped back.
/// A mask (batch, time, …) is folded the same way and given to the wrapped layer; as in Keras 3 (since 3.13.2)
/// the output carries no mask onwards.
/// </remarks>
public sealed class TimeDistributed : Layer
{
    private readonly Layer _layer;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="layer">The layer applied to each timestep (single input, single output).</param>
    /// <param name="inputShape">Input shape without the batch dimension (time, …).</param>
    /// <param name="name">Layer name.</param>
    public TimeDistributed(Layer layer, int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Model)
            throw new ArgumentException($"TimeDistributed '{Name}': layer must be a layer, not a model; got '{layer.Name}' ({layer.GetType().Name}).", nameof(layer));
        _layer = TrackLayer(layer);
        AcceptsIntegerInput = true; // the wrapped layer decides (e.g. Embedding keeps integer ids)
    }

    /// <summary>The wrapped layer.</summary>
    public Layer Layer => _layer;

    private int?[] ChildShape(int?[] inputShape)
    {
        if (inputShape.Length < 3)
            throw new ArgumentException(
                $"Input of layer '{Name}' (TimeDistributed) must have rank >= 3 (batch, time, …); got shape {ShapeUtils.Format(inputShape)}.");
        return [inputShape[0], .. inputShape[2..]];
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        _layer.EnsureBuilt([ChildShape(inputShape)]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => ComputeOutputShapes([inputShape], [DType])[0].shape;

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Length != 1)
            throw new ArgumentException($"Layer '{Name}' (TimeDistributed) takes 1 input, got {inputShapes.Length}.", nameof(inputShapes));
        var s = inputShapes[0];
        var child = _layer.ComputeOutputShapes([ChildShape(s)], inputTypes);
        if (child.Length != 1)
            throw new ArgumentException($"TimeDistributed '{Name}': the wrapped layer '{_layer.Name}' has {child.Length} outputs; it must have one.");
        var c = child[0].shape;
        return [([c[0], s[1], .. c[1..]], child[0].dtype)];
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs.Length != 1)
            throw new ArgumentException($"Layer '{Name}' (TimeDistributed) takes 1 input, got {inputs.Length}.", nameof(inputs));
        if (inputs[0].dim() < 3)
            throw new ArgumentException(
                $"Input of layer '{Name}' (TimeDistributed) must have rank >= 3 (batch, time, …); got shape {ShapeUtils.Format(inputs[0].shape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Call(inputs, training, null);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long batch = inputs.shape[0], time = inputs.shape[1];
        Tensor?[]? childMasks = null;
        if (mask is not null)
        {
            if (mask.dim() < 2 || mask.shape[0] != batch || mask.shape[1] != time)
                throw new ArgumentException(
                    $"The mask given to layer '{Name}' (TimeDistributed) must start with the input's (batch, time) = ({batch}, {time}); got {ShapeUtils.Format(mask.shape)}.",
                    nameof(mask));
            childMasks = [mask.reshape([batch * time, .. mask.shape[2..]])];
        }
        var folded = inputs.reshape([batch * time, .. inputs.shape[2..]]);
        var outs = CallLayer(_layer, [folded], training, childMasks).outputs;
        if (outs.Length != 1)
            throw new InvalidOperationException($"TimeDistributed '{Name}': the wrapped layer '{_layer.Name}' returned {outs.Length} outputs; it must return one.");
        var y = outs[0];
        return y.reshape([batch, time, .. y.shape[1..]]);
    }

    /// <summary>
    /// The output mask: the input's timestep mask, unchanged (each timestep's output exists exactly where its input
    /// did), so losses and metrics downstream skip the padding as tf.keras's TimeDistributed arranged.
    /// </summary>
    /// <param name="inputs">The (batch, timesteps, …) input.</param>
    /// <param name="mask">The (batch, timesteps) mask, or null.</param>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => mask;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["layer"] = new Dictionary<string, object?> { ["class_name"] = _layer.GetType().Name, ["config"] = _layer.GetConfig() };
        return c;
    }
}
