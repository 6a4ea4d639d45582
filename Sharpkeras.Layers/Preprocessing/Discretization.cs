using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Buckets continuous values (Keras's <c>Discretization</c>): value x goes to bucket i where boundaries[i−1] ≤ x &lt; boundaries[i]
/// (numpy's <c>digitize</c>), giving integers in [0, boundaries.Length]. The boundaries are given (<c>binBoundaries</c>) or learned
/// by <see cref="Adapt(Tensor)"/> as approximate quantiles for <c>numBins</c> buckets, with Keras's summary algorithm and precision
/// <c>epsilon</c>. Output modes "int" (default), "one_hot", "multi_hot" and "count" encode the bucket ids as <see cref="CategoryEncoding"/> does.
/// </summary>
/// <remarks>
/// Keras's adapt keeps a float32 summary (values, weights): each batch is sorted and sampled every ⌊max(n·ε, 1)⌋ values (weight
/// max(n·ε, 1)), merged with the running summary and compressed back to 1/ε points by interpolating the cumulative weights;
/// the boundaries are the summary compressed to <c>numBins</c> points, the last dropped. This class follows it step by step (ties in
/// the merge sort are kept in arrival order, where numpy's unstable sort leaves them unspecified).
/// </remarks>
public sealed class Discretization : Layer
{
    private static readonly string[] Modes = ["int", "one_hot", "multi_hot", "count"];

    private float[] _summaryValues = [], _summaryWeights = [];

    /// <summary>Creates the layer.</summary>
    /// <param name="binBoundaries">Sorted bucket boundaries, or null to learn them with <see cref="Adapt(Tensor)"/> (then give <paramref name="numBins"/>).</param>
    /// <param name="numBins">The number of buckets <see cref="Adapt(Tensor)"/> aims at (≥ 0), or null when <paramref name="binBoundaries"/> are given.
    /// Both together (as an adapted layer's config holds them) restore learned boundaries; they may then be at most numBins.</param>
    /// <param name="epsilon">The error tolerance of the quantile summary (default 0.01): it keeps about 1/epsilon points.</param>
    /// <param name="outputMode">"int" (default), "one_hot", "multi_hot" or "count".</param>
    /// <param name="sparse">Keras's <c>sparse</c>; only false (dense outputs) is supported.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public Discretization(double[]? binBoundaries = null, int? numBins = null, double epsilon = 0.01, string outputMode = "int", bool sparse = false,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (!Modes.Contains(outputMode))
            throw new ArgumentException($"Discretization: outputMode must be one of \"int\", \"one_hot\", \"multi_hot\", \"count\"; got '{outputMode}'.", nameof(outputMode));
        if (sparse)
            throw new ArgumentException(outputMode == "int"
                ? "Discretization: sparse=true may only be used with outputMode \"one_hot\", \"multi_hot\" or \"count\"."
                : "Discretization: sparse=true is not supported (TorchSharp layers produce dense tensors); pass sparse: false.", nameof(sparse));
        if (numBins is < 0)
            throw new ArgumentOutOfRangeException(nameof(numBins), numBins, $"Discretization: numBins must be ≥ 0; got {numBins}.");
        if (numBins is null && binBoundaries is null)
            throw new ArgumentException("Discretization: set either binBoundaries or numBins.", nameof(binBoundaries));
        if (!(epsilon > 0 && epsilon <= 1))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Discretization: epsilon must be in (0, 1]; got {epsilon}.");
        if (binBoundaries is not null)
        {
            if (numBins is null && binBoundaries.Length == 0)
                throw new ArgumentException("Discretization: binBoundaries must hold at least one value.", nameof(binBoundaries));
            if (numBins is int nb && binBoundaries.Length > nb)
                throw new ArgumentException(
                    $"Discretization: binBoundaries and numBins were both given (an adapted layer's config), but the {binBoundaries.Length} boundaries exceed numBins = {nb}. Give only one of them.",
                    nameof(binBoundaries));
            CheckSorted(binBoundaries);
        }
        BinBoundaries = binBoundaries?.ToArray();
        NumBins = numBins;
        Epsilon = epsilon;
        OutputMode = outputMode;
        AcceptsIntegerInput = true;
    }

    private static void CheckSorted(double[] b)
    {
        for (int i = 0; i < b.Length; i++)
        {
            if (!double.IsFinite(b[i])) throw new ArgumentException($"Discretization: binBoundaries[{i}] is {b[i]}; expected a finite number.", "binBoundaries");
            if (i > 0 && b[i] < b[i - 1])
                throw new ArgumentException($"Discretization: binBoundaries must be sorted; {b[i]} follows {b[i - 1]}.", "binBoundaries");
        }
    }

    /// <summary>The bucket boundaries (given, or learned by <see cref="Adapt(Tensor)"/>); null before adapting.</summary>
    public double[]? BinBoundaries { get; private set; }

    /// <summary>The number of buckets <see cref="Adapt(Tensor)"/> aims at, or null.</summary>
    public int? NumBins { get; }

    /// <summary>The quantile summary's error tolerance.</summary>
    public double Epsilon { get; }

    /// <summary>The output mode.</summary>
    public string OutputMode { get; }

    private int? Depth => BinBoundaries is not null ? BinBoundaries.Length + 1 : NumBins;

    /// <summary>Learns the boundaries from the values of <paramref name="data"/> (any shape; Keras's <c>adapt</c> on an array).</summary>
    /// <param name="data">The values.</param>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Adapt([data]);
    }

    /// <summary>Learns the boundaries from batches (Keras's <c>adapt</c> on a dataset): each batch is summarized and merged in turn.</summary>
    /// <param name="batches">The batches of values.</param>
    public void Adapt(IEnumerable<Tensor> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (NumBins is not int numBins)
            throw new InvalidOperationException($"Discretization '{Name}': cannot adapt a layer made with binBoundaries; make it with numBins instead.");
        float[] values = [], weights = [];
        foreach (var batch in batches)
        {
            if (batch is null) throw new ArgumentException($"Discretization '{Name}': Adapt got a null batch.", nameof(batches));
            if (batch.dtype == ScalarType.Bool || batch.is_complex())
                throw new ArgumentException($"Discretization '{Name}': Adapt expects numbers; got {batch.dtype}.", nameof(batches));
            float[] data;
            using (NewDisposeScope()) data = batch.to(ScalarType.Float32).cpu().flatten().data<float>().ToArray();
            var (bv, bw) = Summarize(data, Epsilon);
            (values, weights) = MergeSummaries(bv, bw, values, weights, Epsilon);
        }
        _summaryValues = values;
        _summaryWeights = weights;
        var (cv, _) = CompressSummary(values, weights, 1.0 / numBins);
        BinBoundaries = cv.Take(Math.Max(0, cv.Length - 1)).Select(v => (double)v).ToArray();
    }

    /// <summary>Keras's <c>summarize</c>: the sorted values sampled every ⌊step⌋ from index ⌊step − 1⌋, each weighing step = max(n·ε, 1).</summary>
    internal static (float[] values, float[] weights) Summarize(float[] data, double epsilon)
    {
        var sorted = data.ToArray();
        Array.Sort(sorted);
        double numBuckets = 1.0 / epsilon;
        double increment = sorted.Length / numBuckets;
        double step = Math.Max(increment, 1);
        int start = (int)(step - 1), stride = (int)step;
        var values = new List<float>();
        for (int i = start; i < sorted.Length; i += stride) values.Add(sorted[i]);
        float w = (float)step;
        return (values.ToArray(), Enumerable.Repeat(w, values.Count).ToArray());
    }

    /// <summary>Keras's <c>merge_summaries</c>: both summaries concatenated (the new one first), sorted by value, compressed.</summary>
    internal static (float[] values, float[] weights) MergeSummaries(float[] newValues, float[] newWeights, float[] oldValues, float[] oldWeights, double epsilon)
    {
        var v = newValues.Concat(oldValues).ToArray();
        var w = newWeights.Concat(oldWeights).ToArray();
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray(); // stable
        return CompressSummary(order.Select(i => v[i]).ToArray(), order.Select(i => w[i]).ToArray(), epsilon);
    }

    /// <summary>
    /// Keras's <c>compress_summary</c>: unless the summary has fewer than 1/ε points, the values and cumulative weights are
    /// interpolated (numpy's <c>interp</c>) at the cumulative-weight fractions ε, 2ε, …, 1 and the weights re-differenced.
    /// </summary>
    internal static (float[] values, float[] weights) CompressSummary(float[] values, float[] weights, double epsilon)
    {
        if (values.Length * epsilon < 1) return (values, weights);
        long count = (long)Math.Ceiling((1.0 - 0.0) / epsilon); // numpy's arange(0.0, 1.0, epsilon) length
        var percents = new double[count];
        for (long i = 0; i < count; i++) percents[i] = epsilon + i * epsilon;
        var cum = new float[weights.Length];
        float run = 0f;
        for (int i = 0; i < weights.Length; i++) { run += weights[i]; cum[i] = run; }
        var xp = new double[cum.Length];
        for (int i = 0; i < cum.Length; i++) xp[i] = cum[i] / cum[^1];
        var fpValues = values.Select(x => (double)x).ToArray();
        var fpCum = cum.Select(x => (double)x).ToArray();
        var newValues = new float[count];
        var newWeights = new float[count];
        double previous = 0;
        for (long i = 0; i < count; i++)
        {
            newValues[i] = (float)Interp(percents[i], xp, fpValues);
            double c = Interp(percents[i], xp, fpCum);
            newWeights[i] = (float)(c - previous);
            previous = c;
        }
        return (newValues, newWeights);
    }

    /// <summary>numpy's <c>interp</c> (one point): clamped at both ends, linear in between, exact at the sample points.</summary>
    internal static double Interp(double x, double[] xp, double[] fp)
    {
        int n = xp.Length;
        if (x > xp[n - 1]) return fp[n - 1];
        if (x < xp[0]) return fp[0];
        int j = 0; // the largest j with xp[j] <= x
        int lo = 0, hi = n;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (x >= xp[mid]) lo = mid + 1; else hi = mid;
        }
        j = lo - 1;
        if (j == n - 1 || xp[j] == x) return fp[j];
        double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        double r = slope * (x - xp[j]) + fp[j];
        if (double.IsNaN(r))
        {
            r = slope * (x - xp[j + 1]) + fp[j + 1];
            if (double.IsNaN(r) && fp[j] == fp[j + 1]) r = fp[j];
        }
        return r;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var boundaries = BinBoundaries ?? throw new InvalidOperationException(
            $"Discretization '{Name}': pass binBoundaries at construction or call Adapt(data) before using the layer.");
        var x = inputs.dtype == ScalarType.Float64 ? inputs : inputs.to(ScalarType.Float32);
        var b = torch.tensor(boundaries, dtype: x.dtype, device: x.device);
        var ids = torch.bucketize(x, b, right: true);
        return OutputMode == "int" ? ids : CategoryEncoding.EncodeIds(ids, boundaries.Length + 1, OutputMode, null);
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => OutputMode == "int" ? ScalarType.Int64 : ScalarType.Float32;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        if (OutputMode == "int") return inputShape;
        if (Depth is int d) return CategoryEncoding.EncodedShape(inputShape, d, OutputMode);
        return OutputMode == "one_hot" && (inputShape.Length <= 1 || inputShape[^1] != 1) ? [.. inputShape, null]
            : inputShape.Length <= 1 ? [.. inputShape, null] : [.. inputShape[..^1], null];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["bin_boundaries"] = BinBoundaries?.ToArray();
        c["num_bins"] = NumBins;
        c["epsilon"] = Epsilon;
        c["output_mode"] = OutputMode;
        c["sparse"] = false;
        return c;
    }
}
