using Sharpkeras.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>Checks user arrays before any work, and turns class weights into sample weights.</summary>
internal static class DataChecks
{
    public static void CheckBatchSize(int? batchSize, string name = "batchSize")
    {
        if (batchSize is <= 0) throw new ArgumentOutOfRangeException(name, batchSize, $"{name} must be a positive integer.");
    }

    public static void CheckVerbose(int verbose)
    {
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0, 1 or 2.");
    }

    /// <summary>Checks tensors before any work: counts, lengths, emptiness, NaN/Inf, labels. Throws ArgumentException naming the argument.</summary>
    public static void ValidateArrays(Model model, Tensor[] x, Tensor[]? y, Tensor? sampleWeight, string xName, string yName)
    {
        if (x.Length != model.InputCount)
            throw new ArgumentException($"Model '{model.Name}' expects {model.InputCount} input array(s), got {x.Length}.", xName);
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] is null) throw new ArgumentNullException(xName, $"{xName}[{i}] is null.");
            if (x[i].dim() == 0) throw new ArgumentException($"{xName} must have a sample axis; got a scalar.", xName);
        }
        long n = x[0].shape[0];
        if (n == 0) throw new ArgumentException($"{xName} is empty (0 samples).", xName);
        foreach (var (t, i) in x.Select((t, i) => (t, i)))
            if (t.shape[0] != n) throw new ArgumentException($"All inputs must have the same number of samples: {xName}[0] has {n}, {xName}[{i}] has {t.shape[0]}.", xName);
        if (y != null)
        {
            if (y.Length != model.OutputCount)
                throw new ArgumentException($"Model '{model.Name}' has {model.OutputCount} output(s), got {y.Length} target array(s).", yName);
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] is null) throw new ArgumentNullException(yName, $"{yName}[{i}] is null.");
                if (y[i].dim() == 0 || y[i].shape[0] != n)
                    throw new ArgumentException($"{xName} and {yName} must have the same number of samples: {xName} has {n}, {yName} has {(y[i].dim() == 0 ? 0 : y[i].shape[0])}.", yName);
            }
        }
        if (sampleWeight is not null && (sampleWeight.dim() == 0 || sampleWeight.shape[0] != n))
            throw new ArgumentException($"sampleWeight must have one weight per sample ({n}); got shape ({string.Join(", ", sampleWeight.shape)}).", "sampleWeight");
        using var scope = NewDisposeScope();
        using var ng = no_grad();
        for (int i = 0; i < x.Length; i++)
            if (x[i].dtype.IsFloat() && !torch.isfinite(x[i]).all().item<bool>())
                throw new ArgumentException($"{xName} contains NaN or infinite values.", xName);
        if (y != null)
        {
            for (int o = 0; o < y.Length; o++)
            {
                var t = y[o];
                if (t.dtype.IsFloat() && !torch.isfinite(t).all().item<bool>())
                    throw new ArgumentException($"{yName} contains NaN or infinite values.", yName);
                if (model.CompiledLoss?.Losses[o] is SparseCategoricalCrossentropy)
                {
                    if (t.dtype == ScalarType.Bool || t.dtype.IsComplexType())
                        throw new ArgumentException($"{yName}: sparse labels must be integers (int64, int32 or uint8); got {t.dtype}.", yName);
                    if (t.dtype.IsFloat() && !t.eq(t.floor()).all().item<bool>())
                        throw new ArgumentException($"{yName}: sparse labels must be whole numbers; got fractional values in a {t.dtype} tensor.", yName);
                    var lo = t.min().to(ScalarType.Float64).item<double>();
                    var hi = t.max().to(ScalarType.Float64).item<double>();
                    var outShape = model.OutputCount == 1 ? model.OutputShape : model.Outputs.ElementAtOrDefault(o)?.Shape;
                    int? classes = outShape is { Length: > 0 } ? outShape[^1] : null;
                    if (lo < 0 || (classes is int c && hi >= c))
                        throw new ArgumentException(
                            $"{yName}: labels must be in [0, {(classes is int cc ? (cc - 1).ToString() : "classes-1")}] for the output of {(classes?.ToString() ?? "?")} classes; got values from {lo} to {hi}.", yName);
                }
            }
        }
        if (sampleWeight is not null && sampleWeight.dtype.IsFloat() && !torch.isfinite(sampleWeight).all().item<bool>())
            throw new ArgumentException("sampleWeight contains NaN or infinite values.", "sampleWeight");
    }

    public static void CheckClassWeight(IReadOnlyDictionary<int, double> classWeight)
    {
        if (classWeight.Any(kv => kv.Key < 0 || !double.IsFinite(kv.Value)))
            throw new ArgumentException("classWeight keys must be class indices >= 0 and weights finite numbers.", "classWeight");
    }

    /// <summary>One weight per sample from its class (the arg-max of one-hot labels); classes not listed weigh 1.</summary>
    public static Tensor ClassWeightsToSampleWeights(IReadOnlyDictionary<int, double> classWeight, Tensor y)
    {
        using var scope = NewDisposeScope();
        var labels = y.dim() > 1 && y.shape[^1] > 1 ? y.argmax(-1) : y.reshape(y.shape[0], -1)[.., 0];
        labels = labels.to(ScalarType.Int64).cpu();
        int max = Math.Max(classWeight.Keys.DefaultIfEmpty(0).Max(), (int)labels.max().item<long>()) + 1;
        var table = new float[max];
        for (int i = 0; i < max; i++) table[i] = classWeight.TryGetValue(i, out var w) ? (float)w : 1f;
        return torch.tensor(table).index_select(0, labels).to(y.device).MoveToOuterDisposeScope();
    }
}
