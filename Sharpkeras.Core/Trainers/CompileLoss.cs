using Sharpkeras.Losses;
using Sharpkeras.Metrics;
using static TorchSharp.torch;

namespace Sharpkeras.Trainers;

/// <summary>
/// The loss given to <c>Compile</c>, resolved per output (Keras's <c>CompileLoss</c>): one <see cref="Loss"/> (or
/// none) per model output with its weight; for several outputs it also tracks each output's loss
/// ("dense_1_loss"). Calling it returns the weighted sum of the per-output losses. Masks attached to the
/// predictions reach each loss, which honours them as Keras does.
/// </summary>
public sealed class CompileLoss
{
    private readonly Mean[]? _outputTrackers;

    /// <summary>Resolves the loss specification for a model's outputs.</summary>
    /// <param name="loss">An alias, a <see cref="Loss"/>, one per output (list), or a dictionary by output name; null for none.</param>
    /// <param name="lossWeights">The weight of each output's loss (default 1 each).</param>
    /// <param name="outputNames">The names of the model's outputs, in order.</param>
    public CompileLoss(object? loss, double[]? lossWeights, IReadOnlyList<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        int outputs = outputNames.Count;
        Losses = loss switch
        {
            null => new Loss?[outputs],
            string or Loss => Enumerable.Range(0, outputs).Select(_ => (Loss?)Loss.Get(loss)).ToArray(),
            IDictionary<string, object> d => outputNames.Select(n => d.TryGetValue(n, out var l) && l != null ? Loss.Get(l) : null).ToArray(),
            System.Collections.IEnumerable list => list.Cast<object?>().Select(l => l == null ? null : Loss.Get(l)).ToArray(),
            _ => [Loss.Get(loss)],
        };
        if (loss is IDictionary<string, object> dict)
            foreach (var k in dict.Keys)
                if (!outputNames.Contains(k))
                    throw new ArgumentException($"loss names output '{k}', but the outputs are: {string.Join(", ", outputNames)}.", nameof(loss));
        if (Losses.Count != outputs)
            throw new ArgumentException($"loss has {Losses.Count} entries but the model has {outputs} output(s).", nameof(loss));
        LossWeights = lossWeights ?? Enumerable.Repeat(1.0, outputs).ToArray();
        if (LossWeights.Count != outputs)
            throw new ArgumentException($"lossWeights has {LossWeights.Count} entries but the model has {outputs} output(s).", nameof(lossWeights));
        if (outputs > 1) _outputTrackers = outputNames.Select(n => new Mean($"{n}_loss")).ToArray();
    }

    /// <summary>The loss of each output (null where the output has none).</summary>
    public IReadOnlyList<Loss?> Losses { get; }

    /// <summary>The weight of each output's loss in the total.</summary>
    public IReadOnlyList<double> LossWeights { get; }

    /// <summary>Whether any output has a loss.</summary>
    public bool HasLoss => Losses.Any(l => l != null);

    /// <summary>The per-output loss trackers of a model with several outputs (empty otherwise).</summary>
    public IReadOnlyList<Metric> Trackers => _outputTrackers ?? [];

    /// <summary>The weighted sum of the per-output losses, or null when no output has a loss.</summary>
    /// <param name="y">The targets, one per output (null when the data has none).</param>
    /// <param name="yPred">The predictions, one per output (with their masks attached).</param>
    /// <param name="sampleWeight">Optional per-sample weights.</param>
    public Tensor? Call(Tensor[]? y, Tensor[] yPred, Tensor? sampleWeight)
    {
        ArgumentNullException.ThrowIfNull(yPred);
        Tensor? total = null;
        for (int o = 0; o < yPred.Length; o++)
        {
            var lossFn = Losses[o];
            if (lossFn is null) continue;
            if (y is null) throw new ArgumentException("The model has a loss but the data has no targets (y).", nameof(y));
            var l = lossFn.Compute(y[o], ForLoss(yPred[o]), sampleWeight);
            _outputTrackers?[o].Update(l, yPred[o].shape[0]);
            var wl = LossWeights[o] == 1.0 ? l : l * LossWeights[o];
            total = total is null ? wl : total + wl;
        }
        return total;
    }

    /// <summary>
    /// A prediction as losses and metrics take it: float16/bfloat16 (a mixed-precision model's output) cast to float32,
    /// with its mask, as Keras computes losses and metrics in float32; any other tensor as it is.
    /// </summary>
    internal static Tensor ForLoss(Tensor yPred)
    {
        if (yPred.dtype is not (ScalarType.Float16 or ScalarType.BFloat16)) return yPred;
        var y = yPred.to(ScalarType.Float32);
        if (Layer.GetMask(yPred) is { } mask) Layer.SetMask(y, mask);
        return y;
    }
}
