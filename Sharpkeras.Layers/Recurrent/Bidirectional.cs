using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Bidirectional wrapper for recurrent layers (Keras's <c>keras.layers.Bidirectional</c>): runs a forward copy
/// of <c>layer</c> and a backward one (<c>goBackwards: true</c>) over the same sequence and merges their
/// outputs ("concat", "sum", "mul", "ave", or null for both outputs separately).
/// </summary>
/// <remarks>
/// As in Keras, both directions are fresh layers built from <c>layer</c>'s arguments, named
/// "forward_&lt;name&gt;" and "backward_&lt;name&gt;" (the given layer's own weights are not used), unless a
/// <c>backwardLayer</c> is given, which is used as it is. With <c>returnSequences</c> the backward output is
/// flipped back to the input's time order before merging, and masked steps output zeros in both directions.
/// Weights: the forward layer's then the backward layer's, so Bidirectional(LSTM(64)) on 64 features has
/// 2 × 33,024 parameters. With <c>returnState</c> the outputs are [output(s)…, forward states…, backward
/// states…]; initial states go in as [x, forward states…, backward states…]. The input's mask is used by both
/// directions; as in Keras 3 (since 3.13.2) the outputs carry no mask onwards.
/// </remarks>
public sealed class Bidirectional : Layer
{
    private static readonly string?[] MergeModes = ["concat", "sum", "mul", "ave", null];
    private readonly RecurrentLayer _forward;
    private readonly RecurrentLayer _backward;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="layer">The recurrent layer (RNN over any cell, SimpleRNN, LSTM or GRU) whose arguments both directions copy (its cell is copied with <see cref="RNNCell.CloneCell"/>).</param>
    /// <param name="mergeMode">"concat" (default), "sum", "mul", "ave", or null to return both outputs.</param>
    /// <param name="backwardLayer">Optional layer for the backward direction (must have goBackwards opposite to <paramref name="layer"/>'s
    /// and the same returnSequences and returnState).</param>
    /// <param name="inputShape">Input shape without the batch dimension (default: <paramref name="layer"/>'s inputShape).</param>
    /// <param name="name">Layer name.</param>
    public Bidirectional(Layer layer, string? mergeMode = "concat", Layer? backwardLayer = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape ?? layer?.DeclaredInputShape)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is not RecurrentLayer recurrent)
            throw new ArgumentException(
                $"Bidirectional '{Name}': layer must be a recurrent layer (RNN, SimpleRNN, LSTM or GRU); got '{layer.Name}' ({layer.GetType().Name}).", nameof(layer));
        if (backwardLayer is not null and not RecurrentLayer)
            throw new ArgumentException(
                $"Bidirectional '{Name}': backwardLayer must be a recurrent layer (RNN, SimpleRNN, LSTM or GRU); got '{backwardLayer.Name}' ({backwardLayer.GetType().Name}).",
                nameof(backwardLayer));
        if (!MergeModes.Contains(mergeMode))
            throw new ArgumentException(
                $"Bidirectional '{Name}': mergeMode must be one of \"concat\", \"sum\", \"mul\", \"ave\" or null; got \"{mergeMode}\".", nameof(mergeMode));
        var forward = recurrent.CloneWith("forward_" + RemovePrefix(recurrent.Name, "forward_"), recurrent.GoBackwards);
        var backward = (RecurrentLayer?)backwardLayer
                       ?? recurrent.CloneWith("backward_" + RemovePrefix(recurrent.Name, "backward_"), goBackwards: true);
        if (forward.GoBackwards == backward.GoBackwards)
            throw new ArgumentException(
                $"Bidirectional '{Name}': the forward and backward layers must have different goBackwards values; both have {forward.GoBackwards}.",
                backwardLayer is null ? nameof(layer) : nameof(backwardLayer));
        if (forward.ReturnSequences != backward.ReturnSequences || forward.ReturnState != backward.ReturnState)
            throw new ArgumentException(
                $"Bidirectional '{Name}': the backward layer must have the same returnSequences and returnState as the forward layer; got " +
                $"returnSequences {forward.ReturnSequences}/{backward.ReturnSequences}, returnState {forward.ReturnState}/{backward.ReturnState}.",
                nameof(backwardLayer));
        if (forward.StateCount != backward.StateCount)
            throw new ArgumentException(
                $"Bidirectional '{Name}': the backward layer ({backward.GetType().Name}) must carry as many states as the forward layer ({forward.GetType().Name}).",
                nameof(backwardLayer));
        // Keras: masked steps output zeros in both directions when returning sequences.
        forward.ZeroOutputForMask = forward.ReturnSequences;
        backward.ZeroOutputForMask = backward.ReturnSequences;
        MergeMode = mergeMode;
        _forward = TrackLayer(forward);
        _backward = TrackLayer(backward);
    }

    private static string RemovePrefix(string s, string prefix) => s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;

    /// <summary>The forward-direction layer.</summary>
    public RecurrentLayer ForwardLayer => _forward;

    /// <summary>The backward-direction layer.</summary>
    public RecurrentLayer BackwardLayer => _backward;

    /// <summary>How the two outputs are merged ("concat", "sum", "mul", "ave"), or null for both.</summary>
    public string? MergeMode { get; }

    /// <summary>Whether whole sequences are returned.</summary>
    public bool ReturnSequences => _forward.ReturnSequences;

    /// <summary>Whether the final states are returned.</summary>
    public bool ReturnState => _forward.ReturnState;

    /// <summary>Resets the kept states of both directions (layers created with <c>stateful: true</c>; Keras's <c>reset_states</c>).</summary>
    public void ResetStates()
    {
        _forward.ResetStates();
        _backward.ResetStates();
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        _forward.EnsureBuilt([inputShape]);
        _backward.EnsureBuilt([inputShape]);
    }

    /// <summary>Builds from the sequence shape and the initial states' shapes ([x, forward states…, backward states…]).</summary>
    /// <param name="inputShapes">The sequence's shape (batch, timesteps, features) followed by the initial states' shapes, forward then backward.</param>
    public override void Build(int?[][] inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        var (f, b) = Split(inputShapes, inputShapes.Length);
        _forward.EnsureBuilt(f);
        _backward.EnsureBuilt(b);
    }

    private (T[] forward, T[] backward) Split<T>(T[] inputs, int count)
    {
        if (count == 1) return (inputs, inputs);
        int states = _forward.StateCount;
        if (count != 1 + 2 * states)
            throw new ArgumentException(
                $"Layer '{Name}' (Bidirectional) takes the sequence alone or with {2 * states} initial states (forward then backward); got {count} inputs.");
        return ([inputs[0], .. inputs[1..(1 + states)]], [inputs[0], .. inputs[(1 + states)..]]);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => ComputeOutputShapes([inputShape], [DType])[0].shape;

    /// <inheritdoc />
    public override (int?[] shape, ScalarType dtype)[] ComputeOutputShapes(int?[][] inputShapes, ScalarType[] inputTypes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        var (f, _) = Split(inputShapes, inputShapes.Length);
        var forward = _forward.ComputeOutputShapes(f, f.Select(_ => DType).ToArray());
        var output = forward[0].shape;
        var list = new List<(int?[], ScalarType)>();
        if (MergeMode == "concat") list.Add(([.. output[..^1], output[^1] * 2], DType));
        else if (MergeMode is null) { list.Add((output, DType)); list.Add((output, DType)); }
        else list.Add((output, DType));
        if (ReturnState)
        {
            list.AddRange(forward.Skip(1));
            list.AddRange(forward.Skip(1));
        }
        return list.ToArray();
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs) => Split(inputs, inputs.Length);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => CallMulti([inputs], training, null)[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask) => CallMulti([inputs], training, [mask])[0];

    /// <inheritdoc />
    public override Tensor Call(Tensor[] inputs, bool training) => CallMulti(inputs, training, null)[0];

    /// <summary>Runs both directions on [x] or [x, states…] with the sequence's mask and merges their outputs.</summary>
    /// <param name="inputs">[x] or [x, forward states…, backward states…].</param>
    /// <param name="training">True during training (enables the wrapped layers' dropout).</param>
    /// <param name="masks">The masks of the inputs; masks[0] is the sequence's (batch, timesteps) mask, or null.</param>
    /// <returns>[merged output] or, with <c>returnState</c>, [merged output, forward states…, backward states…].</returns>
    public override Tensor[] CallMulti(Tensor[] inputs, bool training, Tensor?[]? masks)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var (f, b) = Split(inputs, inputs.Length);
        var mask = masks is { Length: > 0 } ? masks[0] : null;
        Tensor?[]? MasksFor(Tensor[] xs) => mask is null ? null : [mask, .. new Tensor?[xs.Length - 1]];
        var yf = CallLayer(_forward, f, training, MasksFor(f)).outputs;
        var yb = CallLayer(_backward, b, training, MasksFor(b)).outputs;
        var y = yf[0];
        var yRev = ReturnSequences ? yb[0].flip(1) : yb[0];
        Tensor[] outputs = MergeMode switch
        {
            "concat" => [torch.cat([y, yRev], -1)],
            "sum" => [y + yRev],
            "mul" => [y * yRev],
            "ave" => [(y + yRev) / 2],
            _ => [y, yRev],
        };
        return ReturnState ? [.. outputs, .. yf[1..], .. yb[1..]] : outputs;
    }

    /// <summary>The output mask (Keras's <c>Bidirectional.compute_mask</c>): the input's timestep mask on the sequence output(s) with <c>returnSequences</c>, none otherwise.</summary>
    /// <param name="inputs">The sequence.</param>
    /// <param name="mask">The sequence's (batch, timesteps) mask, or null.</param>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => ReturnSequences ? mask : null;

    /// <inheritdoc />
    public override Tensor?[] ComputeMasks(Tensor[] inputs, Tensor?[]? masks, int outputCount)
    {
        var result = new Tensor?[outputCount];
        if (!ReturnSequences) return result;
        int sequences = MergeMode is null ? 2 : 1;
        for (int i = 0; i < Math.Min(sequences, outputCount); i++) result[i] = masks?[0];
        return result;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["merge_mode"] = MergeMode;
        c["layer"] = new Dictionary<string, object?> { ["class_name"] = _forward.GetType().Name, ["config"] = _forward.GetConfig() };
        c["backward_layer"] = new Dictionary<string, object?> { ["class_name"] = _backward.GetType().Name, ["config"] = _backward.GetConfig() };
        return c;
    }
}
