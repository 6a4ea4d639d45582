namespace Sharpkeras.Layers;

/// <summary>
/// Keras's generic recurrent layer (<c>keras.layers.RNN</c>): runs any <see cref="RNNCell"/> — a built-in
/// <see cref="SimpleRNNCell"/>, <see cref="LSTMCell"/>, <see cref="GRUCell"/>, a <see cref="StackedRNNCells"/>, or
/// a user-written cell — over sequences (batch, timesteps, features).
/// </summary>
/// <remarks>
/// <c>new RNN(new LSTMCell(64))</c> computes exactly what <c>new LSTM(64)</c> computes (the same fused fast path
/// applies). Outputs: the last output (batch, outputSize), or the whole sequence with <c>returnSequences</c>;
/// with <c>returnState</c> the final states follow (use <c>ApplyMulti</c>). Initial states go in as
/// [x, state0, state1…]. The input may have a variable number of timesteps (<c>Keras.Input([null, k])</c>).
/// Masks, <c>goBackwards</c>, <c>stateful</c> and computation: see <see cref="RecurrentLayer"/>.
/// </remarks>
public class RNN : RecurrentLayer
{
    /// <summary>Creates the layer (Keras's arguments and defaults).</summary>
    /// <param name="cell">The cell run at every timestep.</param>
    /// <param name="returnSequences">Return the whole output sequence (else the last output).</param>
    /// <param name="returnState">Also return the final states.</param>
    /// <param name="goBackwards">Process the sequence backwards and return the reversed sequence.</param>
    /// <param name="stateful">Start each batch from the previous batch's final states (see <see cref="RecurrentLayer.ResetStates"/>).</param>
    /// <param name="unroll">Accepted for compatibility; no effect on results.</param>
    /// <param name="zeroOutputForMask">Output zeros at masked steps instead of the previous output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (timesteps, features); timesteps may be null.</param>
    /// <param name="name">Layer name.</param>
    public RNN(RNNCell cell, bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, bool zeroOutputForMask = false, int?[]? inputShape = null, string? name = null)
        : base(cell, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, null, inputShape, name)
    {
    }

    /// <summary>Used by the layers built on a cell (LSTM, GRU, SimpleRNN), which also take an activity regularizer.</summary>
    private protected RNN(RNNCell cell, bool returnSequences, bool returnState, bool goBackwards, bool stateful, bool unroll,
        bool zeroOutputForMask, object? activityRegularizer, int?[]? inputShape, string? name)
        : base(cell, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, activityRegularizer, inputShape, name)
    {
    }

    internal override RecurrentLayer CloneWith(string name, bool goBackwards)
    {
        if (GetType() == typeof(RNN))
            return new RNN(Cell.CloneCell(), ReturnSequences, ReturnState, goBackwards, Stateful, Unroll, ZeroOutputForMask, DeclaredInputShape, name);
        var c = GetConfig();
        c["name"] = name;
        c["go_backwards"] = goBackwards;
        return RecurrentCloning.FromConfig<RecurrentLayer>(this, c);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        WriteRnnConfig(c);
        c["cell"] = new Dictionary<string, object?> { ["class_name"] = Cell.GetType().Name, ["config"] = Cell.GetConfig() };
        return c;
    }
}
