using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// What the per-sample normalizations over chosen axes share (<see cref="LayerNormalization"/>,
/// <see cref="RMSNormalization"/>): the <c>axis</c> (one or a list, never the batch axis) and <c>epsilon</c> arguments
/// and their checks, resolving the axes against the input shape, the broadcast shape of the learned weights, the input
/// check, the unchanged output shape and the two config entries.
/// </summary>
public abstract class BaseAxisNormalization : Layer
{
    private readonly string _kind;

    /// <summary>Checks and keeps the arguments.</summary>
    /// <param name="kind">The Keras class name, for messages.</param>
    /// <param name="axis">The axes to normalize over (not the batch axis).</param>
    /// <param name="epsilon">The small constant added before the square root (finite, ≥ 0).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    private protected BaseAxisNormalization(string kind, int[] axis, double epsilon, int?[]? inputShape, string? name)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(axis);
        _kind = kind;
        string owner = $"{kind} '{Name}'";
        if (axis.Length == 0) throw new ArgumentException($"{owner}: argument 'axis' must name at least one axis.", nameof(axis));
        if (axis.Distinct().Count() != axis.Length) throw new ArgumentException($"{owner}: argument 'axis' has repeated axes: [{string.Join(", ", axis)}].", nameof(axis));
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{owner}: argument 'epsilon' must be finite and >= 0; got {epsilon}.");
        Axis = axis.ToArray();
        AxisIsList = true;
        Epsilon = epsilon;
    }

    /// <summary>The axes normalized over, as given.</summary>
    public int[] Axis { get; }

    /// <summary>Added before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether <c>axis</c> was given as a list (written back as one in the config) or as one integer.</summary>
    private protected bool AxisIsList { get; set; }

    /// <summary>The resolved axes (after build).</summary>
    private protected long[] NormalizedAxes { get; private set; } = [];

    /// <summary>The input's rank with the normalized dimensions in place and ones elsewhere (after build).</summary>
    private protected long[]? BroadcastShape { get; private set; }

    private long[] ResolveAxes(int?[] shape, bool sort)
    {
        int rank = shape.Length;
        var r = new long[Axis.Length];
        for (int i = 0; i < Axis.Length; i++)
        {
            int a = Axis[i] < 0 ? Axis[i] + rank : Axis[i];
            if (a < 1 || a >= rank)
                throw new ArgumentException(
                    $"Layer '{Name}' ({_kind}): axis {Axis[i]} is out of range for input shape {ShapeUtils.Format(shape)} (the batch axis 0 cannot be normalized).", "axis");
            r[i] = a;
        }
        if (r.Distinct().Count() != r.Length)
            throw new ArgumentException($"Layer '{Name}' ({_kind}): axes [{string.Join(", ", Axis)}] name the same axis twice for input shape {ShapeUtils.Format(shape)}.", "axis");
        if (sort) Array.Sort(r);
        return r;
    }

    /// <summary>
    /// Resolves the axes against <paramref name="inputShape"/>, sets <see cref="NormalizedAxes"/> and
    /// <see cref="BroadcastShape"/>, and returns the normalized dimensions (the shape of the learned weights).
    /// </summary>
    /// <param name="inputShape">The input shape, batch first.</param>
    /// <param name="sort">Whether to sort the axes ascending.</param>
    private protected long[] BuildAxes(int?[] inputShape, bool sort)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var axes = ResolveAxes(inputShape, sort);
        var dims = new long[axes.Length];
        for (int i = 0; i < axes.Length; i++)
            dims[i] = inputShape[axes[i]] is int d ? d
                : throw new ArgumentException($"Layer '{Name}' ({_kind}): the dimension of axis {axes[i]} must be known; got input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        NormalizedAxes = axes;
        var broadcast = Enumerable.Repeat(1L, inputShape.Length).ToArray();
        foreach (var a in axes) broadcast[a] = inputShape[a]!.Value;
        BroadcastShape = broadcast;
        return dims;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var x = inputs[0];
        var axes = NormalizedAxes;
        bool ok = InputShape == null || x.dim() == InputShape.Length;
        for (int i = 0; ok && i < axes.Length; i++) ok = axes[i] < x.dim() && x.shape[axes[i]] == BroadcastShape![axes[i]];
        if (!ok)
            throw new ArgumentException(
                $"Input of layer '{Name}' ({_kind}) is incompatible: expected shape {ShapeUtils.Format(InputShape)} on the normalized axes, got {ShapeUtils.Format(x.shape)}.", nameof(inputs));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ResolveAxes(inputShape, sort: false);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = AxisIsList ? Axis.ToArray() : Axis[0];
        c["epsilon"] = Epsilon;
        return c;
    }
}
