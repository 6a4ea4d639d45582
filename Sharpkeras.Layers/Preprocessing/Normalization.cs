using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Feature-wise normalization: <c>(inputs − mean) / max(√variance, ε)</c> (Keras's <c>Normalization</c>), or with
/// <c>invert: true</c> the inverse <c>mean + inputs · max(√variance, ε)</c>. The statistics are kept per index of
/// the <c>axis</c> axes (default -1: per feature) and reduced over all other axes. Either pass <c>mean</c> and
/// <c>variance</c>, or call <see cref="Adapt(Tensor)"/> on data, which computes them like Keras (population
/// variance) and stores them in the non-trainable weights "mean", "variance" and "count". Calling the layer
/// before it has statistics throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class Normalization : Layer
{
    private readonly int[]? _axisArg;
    private readonly double[]? _inputMean;
    private readonly double[]? _inputVariance;
    private KerasVariable? _mean;
    private KerasVariable? _variance;
    private KerasVariable? _count;
    private Tensor? _fixedMean;
    private Tensor? _fixedVariance;
    private int _ndim;
    private int[] _keepAxes = [];
    private long[] _reduceAxes = [];
    private long[] _broadcastShape = [];
    private bool _hasStatistics;

    /// <summary>Creates the layer with statistics per index of one axis (Keras's default <c>axis=-1</c>).</summary>
    /// <param name="axis">The axis that keeps its own statistics (default -1, the features).</param>
    /// <param name="mean">Optional mean: one number, or one per index of the last kept axis.</param>
    /// <param name="variance">Optional variance, same length as <paramref name="mean"/> (both or neither).</param>
    /// <param name="invert">Whether to apply the inverse transformation (de-normalize).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Normalization(int axis = -1, double[]? mean = null, double[]? variance = null, bool invert = false,
        int?[]? inputShape = null, string? name = null)
        : this([axis], mean, variance, invert, inputShape, name) { }

    /// <summary>Creates the layer with statistics per index of several axes, or with <c>axis: null</c> one scalar mean and variance.</summary>
    /// <param name="axis">The axes that keep their own statistics; null (Keras's <c>axis=None</c>) reduces over all axes.</param>
    /// <param name="mean">Optional mean: one number, or one per index of the last kept axis.</param>
    /// <param name="variance">Optional variance, same length as <paramref name="mean"/> (both or neither).</param>
    /// <param name="invert">Whether to apply the inverse transformation (de-normalize).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Normalization(int[]? axis, double[]? mean = null, double[]? variance = null, bool invert = false,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if ((mean is null) != (variance is null))
            throw new ArgumentException(
                $"Normalization: when setting values directly, both mean and variance must be set; got mean {(mean is null ? "null" : "set")} and variance {(variance is null ? "null" : "set")}.",
                mean is null ? nameof(mean) : nameof(variance));
        if (mean is not null)
        {
            if (mean.Length == 0)
                throw new ArgumentException("Normalization: mean must have at least one value.", nameof(mean));
            if (mean.Length != variance!.Length)
                throw new ArgumentException($"Normalization: mean and variance must have the same length; got {mean.Length} and {variance.Length}.", nameof(variance));
            if (mean.Any(m => !double.IsFinite(m)))
                throw new ArgumentException($"Normalization: mean values must be finite; got [{string.Join(", ", mean)}].", nameof(mean));
            if (variance.Any(v => !double.IsFinite(v) || v < 0))
                throw new ArgumentException($"Normalization: variance values must be finite and >= 0; got [{string.Join(", ", variance)}].", nameof(variance));
            if (mean.Length > 1 && (axis is null || axis.Length == 0))
                throw new ArgumentException($"Normalization: with axis null the mean and variance must be single numbers; got {mean.Length} values.", nameof(mean));
        }
        _axisArg = axis?.ToArray();
        _inputMean = mean?.ToArray();
        _inputVariance = variance?.ToArray();
        Invert = invert;
        SupportsMasking = true;
        _hasStatistics = mean is not null;
    }

    /// <summary>The axes that keep their own statistics (empty for Keras's axis=None).</summary>
    public IReadOnlyList<int> Axis => _axisArg ?? [];

    /// <summary>Whether the layer de-normalizes.</summary>
    public bool Invert { get; }

    /// <summary>The "mean" weight (after build, when the statistics come from <see cref="Adapt(Tensor)"/>).</summary>
    public KerasVariable? Mean => _mean;

    /// <summary>The "variance" weight (after build, when the statistics come from <see cref="Adapt(Tensor)"/>).</summary>
    public KerasVariable? Variance => _variance;

    /// <summary>The "count" weight: the number of values each statistic was computed from (0 before Adapt).</summary>
    public KerasVariable? Count => _count;

    // ------------------------------------------------------------------------------------ build

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        int ndim = inputShape.Length;
        var axes = _axisArg ?? [];
        foreach (var a in axes)
            if (a < -ndim || a >= ndim)
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): every axis must be in [-{ndim}, {ndim}) for an input of rank {ndim}; got axis [{string.Join(", ", axes)}] for shape {ShapeUtils.Format(inputShape)}.");
        var keep = axes.Select(a => a < 0 ? a + ndim : a).Distinct().OrderBy(a => a).ToArray();
        foreach (var d in keep)
            if (inputShape[d] is null)
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): the kept axes must have a known size; axis {d} of {ShapeUtils.Format(inputShape)} is unknown.");
        var statsShape = keep.Select(d => (long)inputShape[d]!.Value).ToArray();
        var broadcast = Enumerable.Range(0, ndim).Select(d => keep.Contains(d) ? (long)inputShape[d]!.Value : 1L).ToArray();
        Tensor? fixedMean = null, fixedVariance = null;
        if (_inputMean is not null)
        {
            int n = _inputMean.Length;
            if (n > 1 && (keep.Length == 0 || statsShape[^1] != n))
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): mean and variance have {n} values but the last kept axis of {ShapeUtils.Format(inputShape)} has size {(keep.Length == 0 ? "(none)" : statsShape[^1].ToString())}.");
            var expanded = Enumerable.Repeat(1L, ndim).ToArray();
            if (n > 1) expanded[keep[^1]] = n;
            fixedMean = torch.tensor(_inputMean, dtype: DType).reshape(expanded).expand(broadcast).contiguous();
            fixedVariance = torch.tensor(_inputVariance!, dtype: DType).reshape(expanded).expand(broadcast).contiguous();
        }
        _ndim = ndim;
        _keepAxes = keep;
        _reduceAxes = Enumerable.Range(0, ndim).Where(d => !keep.Contains(d)).Select(d => (long)d).ToArray();
        _broadcastShape = broadcast;
        if (fixedMean is not null)
        {
            _fixedMean = fixedMean.DetachFromDisposeScope();
            _fixedVariance = fixedVariance!.DetachFromDisposeScope();
            return;
        }
        _mean = AddWeight("mean", statsShape, "zeros", trainable: false);
        _variance = AddWeight("variance", statsShape, "ones", trainable: false);
        _count = AddWeight("count", [], "zeros", trainable: false, dtype: ScalarType.Int64);
    }

    // ------------------------------------------------------------------------------------ adapt

    /// <summary>
    /// Computes the mean and the (population) variance of <paramref name="data"/> over every axis except the kept
    /// ones, like Keras's <c>adapt</c>; builds the layer from the data's shape if needed.
    /// </summary>
    /// <param name="data">The data, with the batch axis first (e.g. (N, features)).</param>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Adapt(new[] { data });
    }

    /// <summary>Adapts on batches (each element is one batch, batch axis first), combining their statistics exactly.</summary>
    /// <param name="batches">The batches (e.g. the x of a dataset).</param>
    public void Adapt(IEnumerable<Tensor[]> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        Adapt(batches.Select((b, i) => b is { Length: > 0 } ? b[0] : throw new ArgumentException($"Normalization.Adapt: batch {i} is empty.", nameof(batches))));
    }

    /// <summary>Adapts on batches (each element is one batch, batch axis first), combining their statistics exactly.</summary>
    /// <param name="batches">The batches.</param>
    public void Adapt(IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (_inputMean is not null)
            throw new InvalidOperationException($"Layer '{Name}' (Normalization) was given mean and variance; it cannot be adapted.");
        Tensor? totalMean = null, totalVar = null;
        long totalCount = 0;
        int index = 0;
        using (torch.no_grad())
        {
            foreach (var batch in batches)
            {
                if (batch is null) throw new ArgumentNullException(nameof(batches), $"Normalization.Adapt: batch {index} is null.");
                if (batch.numel() == 0)
                    throw new ArgumentException($"Layer '{Name}' (Normalization): Adapt got an empty batch of shape {ShapeUtils.Format(batch.shape)}.", nameof(batches));
                if (batch.dtype == ScalarType.Bool || batch.dtype.IsComplexType())
                    throw new ArgumentException($"Layer '{Name}' (Normalization): Adapt needs numeric data; got {DTypeName(batch.dtype)}.", nameof(batches));
                if (!Built && index == 0)
                {
                    var shape = batch.shape.Select(d => (int?)(int)d).ToArray();
                    var keepsBatch = (_axisArg ?? []).Any(a => a == 0 || a == -shape.Length);
                    if (!keepsBatch && shape.Length > 0) shape[0] = null;
                    EnsureBuilt([shape]);
                }
                CheckShape(batch.shape, "Adapt data");
                var x = batch.to(ScalarType.Float64);
                Tensor bMean, bVar;
                long bCount = _reduceAxes.Aggregate(1L, (a, d) => a * batch.shape[d]);
                if (_reduceAxes.Length == 0)
                {
                    bMean = x;
                    bVar = torch.zeros_like(x);
                }
                else
                {
                    bMean = x.mean(_reduceAxes, keepdim: false);
                    bVar = (x - x.mean(_reduceAxes, keepdim: true)).square().mean(_reduceAxes, keepdim: false);
                }
                if (totalMean is null)
                {
                    totalMean = bMean;
                    totalVar = bVar;
                    totalCount = bCount;
                }
                else
                {
                    // Keras's merge (lack-of-fit sum of squares): exact combination of the batch statistics.
                    totalCount += bCount;
                    double wb = (double)bCount / totalCount, we = 1.0 - wb;
                    var newMean = totalMean * we + bMean * wb;
                    totalVar = (totalVar! + (totalMean - newMean).square()) * we + (bVar + (bMean - newMean).square()) * wb;
                    totalMean = newMean;
                }
                index++;
            }
            if (totalMean is null)
                throw new ArgumentException($"Layer '{Name}' (Normalization): Adapt received no data (an empty sequence of batches).", nameof(batches));
            _mean!.Assign(totalMean.cpu().to(DType));
            _variance!.Assign(totalVar!.cpu().to(DType));
            _count!.Assign(torch.tensor(totalCount, dtype: ScalarType.Int64));
        }
        _hasStatistics = true;
    }

    // ------------------------------------------------------------------------------------ call

    private void CheckShape(long[] shape, string what)
    {
        bool ok = shape.Length == _ndim && _keepAxes.All(d => shape[d] == _broadcastShape[d]);
        if (!ok)
        {
            var expected = Enumerable.Range(0, _ndim).Select(d => _keepAxes.Contains(d) ? (int?)(int)_broadcastShape[d] : null).ToArray();
            throw new ArgumentException(
                $"{what} of layer '{Name}' (Normalization) is incompatible: expected shape {ShapeUtils.Format(expected)} (None = any size), got {ShapeUtils.Format(shape)}.");
        }
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs) => CheckShape(inputs[0].shape, "Input");

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (!_hasStatistics)
        {
            // Weights loaded from a file count as statistics (count > 0); checked once, then cached.
            if (_count is not null && _count.Value.item<long>() > 0) _hasStatistics = true;
            else
                throw new InvalidOperationException(
                    $"Layer '{Name}' (Normalization) has no mean and variance yet: call Adapt(data) before using it, or pass mean and variance to the constructor.");
        }
        Tensor mean, variance;
        if (_fixedMean is not null)
        {
            if (!DeviceUtils.IsOn(_fixedMean, inputs.device) || _fixedMean.dtype != inputs.dtype)
            {
                _fixedMean = _fixedMean.to(inputs.dtype, inputs.device).DetachFromDisposeScope();
                _fixedVariance = _fixedVariance!.to(inputs.dtype, inputs.device).DetachFromDisposeScope();
            }
            mean = _fixedMean;
            variance = _fixedVariance!;
        }
        else
        {
            mean = _mean!.Value.reshape(_broadcastShape);
            variance = _variance!.Value.reshape(_broadcastShape);
        }
        var scale = variance.sqrt().clamp_min(Keras.Config.Epsilon);
        return Invert ? mean + inputs * scale : (inputs - mean) / scale;
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = _axisArg;
        c["invert"] = Invert;
        c["mean"] = _inputMean;
        c["variance"] = _inputVariance;
        return c;
    }
}
