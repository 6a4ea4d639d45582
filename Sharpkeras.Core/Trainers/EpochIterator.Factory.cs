using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

internal sealed partial class EpochIterator
{
    /// <summary>
    /// The iterator over in-memory arrays: checks them, turns class weights into sample weights (once, for the
    /// whole array), and, with <paramref name="validationSplit"/>, cuts the last fraction off (before shuffling, as
    /// Keras does) into a second, unshuffled iterator.
    /// </summary>
    public static (EpochIterator train, EpochIterator? validation) ForArrays(Model model, Tensor[] x, Tensor[]? y, Tensor? sampleWeight,
        int batchSize, bool shuffle, int? steps, IReadOnlyDictionary<int, double>? classWeight, double validationSplit = 0,
        int? validationBatchSize = null, int initialEpoch = 0, string xName = "x", string yName = "y")
    {
        DataChecks.ValidateArrays(model, x, y, sampleWeight, xName, yName);
        var sw = sampleWeight;
        if (classWeight != null)
        {
            if (y == null || y.Length != 1) throw new ArgumentException("classWeight needs exactly one target array.", nameof(classWeight));
            DataChecks.CheckClassWeight(classWeight);
            var cw = DataChecks.ClassWeightsToSampleWeights(classWeight, y[0]);
            sw = sw is null ? cw : sw * cw.to(sw.dtype, sw.device);
        }
        Tensor[] all = [.. x, .. y ?? [], .. sw is null ? Array.Empty<Tensor>() : [sw]];
        var device = model.Device;
        if (validationSplit <= 0)
            return (new EpochIterator(new TensorDataAdapter(all, batchSize, shuffle), steps, device, initialEpoch), null);
        long n = x[0].shape[0];
        long split = (long)Math.Floor(n * (1.0 - validationSplit));
        if (split <= 0 || split >= n)
            throw new ArgumentException($"validationSplit {validationSplit} leaves no training or no validation samples out of {n}.", nameof(validationSplit));
        var trainArrays = all.Select(t => t.narrow(0, 0, split)).ToArray();
        var valArrays = all.Select(t => t.narrow(0, split, n - split)).ToArray();
        return (new EpochIterator(new TensorDataAdapter(trainArrays, batchSize, shuffle), steps, device, initialEpoch),
            new EpochIterator(new TensorDataAdapter(valArrays, validationBatchSize ?? batchSize, false), null, device));
    }

    /// <summary>The iterator over a source of batches (a <c>Dataset</c> or a user's enumerable); class weights apply per batch.</summary>
    public static EpochIterator ForEnumerable(Model model, IEnumerable<Tensor[]> data, int? steps,
        IReadOnlyDictionary<int, double>? classWeight = null, int initialEpoch = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (classWeight != null) DataChecks.CheckClassWeight(classWeight);
        return new EpochIterator(new EnumerableDataAdapter(data), steps, model.Device, initialEpoch, classWeight);
    }

    /// <summary>An iterator over one batch given as arrays (the <c>*OnBatch</c> calls): the same path as every other batch.</summary>
    public static EpochIterator ForSingleBatch(Model model, Tensor[] x, Tensor[]? y, Tensor? sampleWeight,
        IReadOnlyDictionary<int, double>? classWeight, bool validate)
    {
        if (validate) DataChecks.ValidateArrays(model, x, y, sampleWeight, "x", "y");
        else if (x.Length == 0 || x.Any(t => t is null)) throw new ArgumentNullException(nameof(x));
        var sw = sampleWeight;
        if (classWeight != null && y != null)
        {
            DataChecks.CheckClassWeight(classWeight);
            var cw = DataChecks.ClassWeightsToSampleWeights(classWeight, y[0]);
            sw = sw is null ? cw : sw * cw.to(sw.dtype, sw.device);
        }
        Tensor[] all = [.. x, .. y ?? [], .. sw is null ? Array.Empty<Tensor>() : [sw]];
        return new EpochIterator(new TensorDataAdapter(all, (int)Math.Max(1, x[0].dim() == 0 ? 1 : x[0].shape[0]), false), 1, model.Device);
    }
}
