using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Several cells run one after another at every timestep, so that <c>RNN(new StackedRNNCells([...]))</c> is a
/// stacked RNN in one layer (Keras's <c>keras.layers.StackedRNNCells</c>): cell k takes cell k−1's output.
/// </summary>
/// <remarks>
/// The states are every cell's states in order, flattened (e.g. [LSTMCell(8), GRUCell(4)] has states
/// [h₁, c₁, h₂]); the output is the last cell's. Each cell is built on the previous cell's output shape.
/// </remarks>
public sealed class StackedRNNCells : RNNCell
{
    private readonly RNNCell[] _cells;

    /// <summary>Stacks the cells (first cell first).</summary>
    /// <param name="cells">The cells, at least one.</param>
    /// <param name="name">Cell name.</param>
    public StackedRNNCells(IEnumerable<RNNCell> cells, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(cells);
        _cells = cells.ToArray();
        if (_cells.Length == 0)
            throw new ArgumentException($"StackedRNNCells '{Name}': cells must hold at least one cell; got none.", nameof(cells));
        for (int i = 0; i < _cells.Length; i++)
            if (_cells[i] is null) throw new ArgumentException($"StackedRNNCells '{Name}': cells[{i}] is null.", nameof(cells));
        foreach (var c in _cells) TrackLayer(c);
    }

    /// <summary>The stacked cells, first first.</summary>
    public IReadOnlyList<RNNCell> Cells => _cells;

    /// <inheritdoc />
    public override int[] StateSize => _cells.SelectMany(c => c.StateSize).ToArray();

    /// <inheritdoc />
    public override int OutputSize => _cells[^1].OutputSize;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var shape = inputShape;
        foreach (var cell in _cells)
        {
            cell.EnsureBuilt([shape]);
            shape = cell.ComputeOutputShape(shape);
        }
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return _cells.Aggregate(inputShape, (shape, cell) => cell.ComputeOutputShape(shape));
    }

    /// <inheritdoc />
    public override int?[][] ComputeStateShapes(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var states = new List<int?[]>();
        var shape = inputShape;
        foreach (var cell in _cells)
        {
            states.AddRange(cell.ComputeStateShapes(shape));
            shape = cell.ComputeOutputShape(shape);
        }
        return states.ToArray();
    }

    /// <inheritdoc />
    public override (Tensor output, Tensor[] states) Call(Tensor inputs, Tensor[] states, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(states);
        if (!Built) EnsureBuilt([ShapeUtils.WithNullBatch(inputs.shape)]);
        int expected = StateSize.Length;
        if (states.Length != expected)
            throw new ArgumentException($"StackedRNNCells '{Name}' expects {expected} states; got {states.Length}.", nameof(states));
        var next = new List<Tensor>(expected);
        int offset = 0;
        var x = inputs;
        foreach (var cell in _cells)
        {
            int n = cell.StateSize.Length;
            var (o, s) = cell.Call(x, states[offset..(offset + n)], training);
            if (s.Length != n)
                throw new InvalidOperationException($"Cell '{cell.Name}' ({cell.GetType().Name}) returned {s.Length} states; its StateSize has {n}.");
            next.AddRange(s);
            x = o;
            offset += n;
        }
        return (x, next.ToArray());
    }

    /// <inheritdoc />
    public override Tensor[] GetInitialState(long batchSize, ScalarType dtype, Device device)
        => _cells.SelectMany(c => c.GetInitialState(batchSize, dtype, device)).ToArray();

    /// <inheritdoc />
    public override void ResetDropoutMasks()
    {
        foreach (var c in _cells) c.ResetDropoutMasks();
    }

    /// <inheritdoc />
    public override RNNCell CloneCell() => new StackedRNNCells(_cells.Select(c => c.CloneCell()), Name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["cells"] = _cells.Select(cell => (object?)new Dictionary<string, object?> { ["class_name"] = cell.GetType().Name, ["config"] = cell.GetConfig() }).ToList();
        return c;
    }
}
