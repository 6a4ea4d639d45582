using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The base class of a recurrent cell (what Keras's <c>keras.layers.RNN</c> runs at every timestep): the
/// sizes of its states, and one step <see cref="Call(Tensor, Tensor[], bool)"/> from an input and the previous
/// states to an output and the next states. <see cref="RNN"/> runs any cell over a sequence, with masks, initial
/// states, <c>goBackwards</c>, <c>stateful</c> and <see cref="Bidirectional"/>.
/// </summary>
/// <remarks>
/// A user cell derives from this class, overrides <see cref="StateSize"/> and the step, and creates its weights
/// in <see cref="Layer.Build(int?[])"/>, which receives the shape of one step's input (batch, features…) —
/// exactly like a Keras cell:
/// <code>
/// class MinimalCell(int units) : RNNCell
/// {
///     KerasVariable? _w, _u;
///     public override int[] StateSize => [units];
///     public override void Build(int?[] s) { _w = AddWeight("kernel", [s[^1]!.Value, units]); _u = AddWeight("recurrent_kernel", [units, units]); }
///     public override (Tensor, Tensor[]) Call(Tensor x, Tensor[] states, bool training)
///     { var h = x.matmul(_w!.Value) + states[0].matmul(_u!.Value); return (h, [h]); }
/// }
/// </code>
/// The built-in cells are <see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/> and
/// <see cref="StackedRNNCells"/>.
/// </remarks>
public abstract class RNNCell : Layer
{
    /// <summary>Creates a cell.</summary>
    /// <param name="name">Cell name (default: snake-case class name with a counter).</param>
    /// <param name="trainable">Whether the cell's weights are trained.</param>
    /// <param name="dtype">The weights' element type (default <see cref="Keras.Config.FloatX"/>).</param>
    protected RNNCell(string? name = null, bool trainable = true, ScalarType? dtype = null)
        : base(name, trainable, dtype: dtype)
    {
    }

    /// <summary>The size of each state tensor, in order (Keras's <c>state_size</c>; an LSTM cell has [units, units]).</summary>
    public abstract int[] StateSize { get; }

    /// <summary>The size of the step output (Keras's <c>output_size</c>; default the first state's size).</summary>
    public virtual int OutputSize => StateSize[0];

    /// <summary>
    /// The shape of the step output for a step input of shape <paramref name="inputShape"/> (batch first) — Keras's
    /// cell <c>compute_output_shape</c>. Default: (batch, <see cref="OutputSize"/>); a cell with spatial outputs
    /// (<see cref="ConvLSTMCell"/>) overrides it.
    /// </summary>
    /// <param name="inputShape">The step input's shape (batch, features…), batch first.</param>
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return [inputShape[0], OutputSize];
    }

    /// <summary>
    /// The shape of each state, batch first, for a step input of shape <paramref name="inputShape"/>. Default:
    /// (batch, size) for each entry of <see cref="StateSize"/>; a cell with spatial states (<see cref="ConvLSTMCell"/>:
    /// (batch, rows, cols, filters)) overrides it, and <see cref="RNN"/> then carries states of those shapes.
    /// </summary>
    /// <param name="inputShape">The step input's shape (batch, features…), batch first.</param>
    public virtual int?[][] ComputeStateShapes(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return StateSize.Select(s => new int?[] { inputShape[0], s }).ToArray();
    }

    /// <summary>The rank of the step input the cell takes (batch included), or null for any rank (user cells).</summary>
    internal virtual int? StepRank => null;

    /// <summary>
    /// The layer that owns the cell's weights: the cell itself, or the layer built on it (<see cref="LSTM"/>,
    /// <see cref="ConvLSTM2D"/>…), so that layer keeps the weights as its own ("lstm/kernel"), as Keras's layers expose them.
    /// </summary>
    internal Layer WeightOwner
    {
        get => _weightOwner?.Invoke() ?? this;
        set => _weightOwner = () => value;
    }

    // A delegate on purpose: Layer tracks every field holding a Layer as a sub-layer, and the owner is the parent.
    private Func<Layer>? _weightOwner;

    /// <summary>One timestep: the output and the next states.</summary>
    /// <param name="inputs">This step's input (batch, features…).</param>
    /// <param name="states">The previous states, one per entry of <see cref="StateSize"/>, of the shapes <see cref="ComputeStateShapes"/> gives.</param>
    /// <param name="training">Whether the model is training (dropout).</param>
    public abstract (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training);

    /// <summary>The states a sequence starts from when none are given (Keras's <c>get_initial_state</c>; default zeros).</summary>
    /// <param name="batchSize">Number of sequences.</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="device">Device.</param>
    /// <remarks>A cell with spatial states (<see cref="ConvLSTMCell"/>) gives zeros of its state shapes, known once it is built.</remarks>
    public virtual Tensor[] GetInitialState(long batchSize, ScalarType dtype, Device device)
        => StateSize.Select(s => torch.zeros([batchSize, s], dtype: dtype, device: device)).ToArray();

    /// <summary>
    /// Forgets the dropout masks kept for the current sequence. <see cref="RNN"/> calls it before every sequence,
    /// so one mask is used for all timesteps of a sequence and a new one for the next (Keras's DropoutRNNCell).
    /// </summary>
    public virtual void ResetDropoutMasks()
    {
    }

    /// <summary>Whether a tensor's shape is <paramref name="expected"/> (null dimensions match any length).</summary>
    internal static bool Fits(long[] shape, int?[] expected)
        => shape.Length == expected.Length && expected.Select((d, i) => d is not int n || shape[i] == n).All(ok => ok);

    /// <summary>A cell is run by <see cref="RNN"/>: calling it on a single tensor is an error.</summary>
    /// <param name="inputs">Unused.</param>
    /// <param name="training">Unused.</param>
    public override Tensor Call(Tensor inputs, bool training)
        => throw new InvalidOperationException(
            $"Cell '{Name}' ({GetType().Name}) runs one timestep with states: call Call(inputs, states, training), or wrap it in an RNN layer.");

    /// <summary>A fresh, unbuilt cell with the same arguments (what <see cref="Bidirectional"/> builds for each direction).</summary>
    /// <remarks>The default rebuilds the cell from its <see cref="Layer.GetConfig"/> through its public constructor.</remarks>
    public virtual RNNCell CloneCell() => RecurrentCloning.FromConfig(this, GetConfig());
}
