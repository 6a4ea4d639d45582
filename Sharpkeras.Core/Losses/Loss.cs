using Sharpkeras.Registry;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>
/// Base class of losses (Keras's <c>keras.losses.Loss</c>). <see cref="Call"/> returns the per-sample
/// values; <see cref="Compute"/> applies the mask carried by the predictions (<see cref="Layer.GetMask"/>),
/// sample weights and the reduction, like calling a Keras loss object.
/// </summary>
public abstract class Loss
{
    /// <summary>Valid reductions (Keras's; <c>None</c> in Python is "none" here).</summary>
    public static readonly string[] Reductions = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"];

    /// <summary>Creates a loss.</summary>
    /// <param name="name">Name shown in logs of multi-output models.</param>
    /// <param name="reduction">"sum_over_batch_size" (default: weighted sum divided by the number of values), "sum",
    /// "mean" (same as "sum_over_batch_size"), "mean_with_sample_weight" (weighted sum divided by the sum of the weights) or "none".</param>
    protected Loss(string name, string reduction = "sum_over_batch_size")
    {
        Reduction = CheckReduction(reduction);
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A loss needs a non-empty name.", nameof(name));
        Name = name;
    }

    /// <summary>Returns <paramref name="reduction"/> when it is one of <see cref="Reductions"/>; throws otherwise.</summary>
    /// <param name="reduction">The reduction to check.</param>
    public static string CheckReduction(string reduction)
    {
        if (reduction is null || !Reductions.Contains(reduction))
            throw new ArgumentException(
                $"Invalid value for argument reduction: '{reduction}'. Expected one of {string.Join(", ", Reductions)}.", nameof(reduction));
        return reduction;
    }

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>The reduction applied by <see cref="Compute"/>.</summary>
    public string Reduction { get; }

    /// <summary>
    /// The unreduced loss: one value per sample (and per timestep for sequences). A loss may attach a mask to the
    /// values it returns (<see cref="Layer.SetMask"/>, e.g. <c>ignoreClass</c>); <see cref="Compute"/> honours it.
    /// </summary>
    /// <param name="yTrue">The labels.</param>
    /// <param name="yPred">The predictions.</param>
    public abstract Tensor Call(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// The loss as Keras computes it when the object is called: the mask attached to <paramref name="yPred"/>
    /// (if any) and the mask attached to the values by <see cref="Call"/> (if any) are combined, folded into the
    /// sample weights (Keras's <c>apply_mask</c>), and the weighted values are reduced.
    /// </summary>
    /// <param name="yTrue">The labels.</param>
    /// <param name="yPred">The predictions (possibly carrying a mask).</param>
    /// <param name="sampleWeight">Per-sample or per-element weights, or null.</param>
    public Tensor Compute(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        var inMask = Layer.GetMask(yPred);
        var values = Call(yTrue, yPred);
        var outMask = Layer.GetMask(values);
        Tensor? mask = (inMask, outMask) switch
        {
            (Tensor a, Tensor b) => a.to(ScalarType.Bool, values.device).logical_and(b.to(ScalarType.Bool, values.device)),
            (Tensor a, null) => a,
            (null, Tensor b) => b,
            _ => null,
        };
        return ReduceWeightedValues(values, sampleWeight, mask, Reduction);
    }

    /// <summary>Keras's <c>reduce_weighted_values</c> without a mask.</summary>
    /// <param name="values">The unreduced loss values.</param>
    /// <param name="sampleWeight">Weights, or null.</param>
    /// <param name="reduction">One of <see cref="Reductions"/>.</param>
    public static Tensor Reduce(Tensor values, Tensor? sampleWeight, string reduction) => ReduceWeightedValues(values, sampleWeight, null, reduction);

    /// <summary>
    /// Keras's <c>reduce_weighted_values</c>: merges the mask into the sample weights (<see cref="ApplyMask"/>),
    /// weights the values and reduces them. Weights of lower rank gain trailing axes to match the values.
    /// </summary>
    /// <param name="values">The unreduced loss values.</param>
    /// <param name="sampleWeight">Weights, or null.</param>
    /// <param name="mask">A boolean (or 0/1) mask of the values' shape, or null.</param>
    /// <param name="reduction">One of <see cref="Reductions"/>.</param>
    public static Tensor ReduceWeightedValues(Tensor values, Tensor? sampleWeight, Tensor? mask, string reduction)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckReduction(reduction);
        var dtype = values.dtype.IsFloat() ? values.dtype : ScalarType.Float32;
        if (values.dtype != dtype) values = values.to(dtype);
        var sw = ApplyMask(sampleWeight?.to(dtype, values.device), mask?.to(values.device), dtype, reduction);
        if (sw is not null)
        {
            sw = sw.to(dtype, values.device);
            (values, sw) = SqueezeOrExpandToSameRank(values, sw);
            while (sw.dim() > values.dim() && sw.shape[^1] == 1) sw = sw.squeeze(-1);
            while (sw.dim() < values.dim()) sw = sw.unsqueeze(-1);
            try
            {
                values = values * sw;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException(
                    $"sampleWeight of shape ({string.Join(", ", sampleWeight?.shape ?? sw.shape)}) does not broadcast to the loss values of shape ({string.Join(", ", values.shape)}).",
                    nameof(sampleWeight), e);
            }
        }
        return ReduceValues(values, sw, reduction);
    }

    private static Tensor ReduceValues(Tensor values, Tensor? sampleWeight, string reduction)
    {
        if (reduction == "none" || values.dim() == 0) return values;
        var loss = values.sum();
        if (reduction == "sum") return loss;
        if (reduction == "mean_with_sample_weight" && sampleWeight is not null)
            return DivideNoNan(loss, sampleWeight.sum().to(loss.dtype));
        // The element count is known on the host: one division (the sum of no values is 0, as divide-no-nan gives).
        long n = values.numel();
        return n == 0 ? loss : loss / (double)n;
    }

    /// <summary>
    /// Keras's <c>apply_mask</c>: merges a mask into the sample weights. For "sum_over_batch_size" and "mean" the valid
    /// entries get weight <c>total/valid</c> (0 when nothing is valid), so that the reduced loss is the mean over the
    /// valid entries; for the other reductions the mask is a 0/1 weight.
    /// </summary>
    /// <param name="sampleWeight">Weights, or null.</param>
    /// <param name="mask">The mask, or null (then <paramref name="sampleWeight"/> is returned).</param>
    /// <param name="dtype">The floating dtype of the result.</param>
    /// <param name="reduction">The reduction that will follow.</param>
    public static Tensor? ApplyMask(Tensor? sampleWeight, Tensor? mask, ScalarType dtype, string reduction)
    {
        if (mask is null) return sampleWeight;
        var boolMask = mask.dtype == ScalarType.Bool ? mask : mask.ne(0);
        Tensor floatMask;
        if (reduction is "mean" or "sum_over_batch_size")
        {
            var total = torch.tensor((double)boolMask.numel(), dtype: dtype, device: boolMask.device);
            var valid = boolMask.to(dtype).sum();
            var maskWeight = DivideNoNan(total, valid);
            floatMask = torch.where(boolMask, maskWeight, torch.zeros_like(maskWeight));
        }
        else floatMask = boolMask.to(dtype);
        if (sampleWeight is null) return floatMask;
        var sw = sampleWeight.to(dtype, floatMask.device);
        (floatMask, sw) = SqueezeOrExpandToSameRank(floatMask, sw);
        while (sw.dim() < floatMask.dim()) sw = sw.unsqueeze(-1);
        return sw * floatMask;
    }

    /// <summary>Keras's <c>squeeze_or_expand_to_same_rank</c>: when the ranks differ by one and the longer ends in 1, the shorter rank-1 tensor gains an axis (<paramref name="expandRank1"/>) or the longer loses its last.</summary>
    /// <param name="x1">First tensor.</param>
    /// <param name="x2">Second tensor.</param>
    /// <param name="expandRank1">Expand a rank-1 tensor instead of squeezing the other.</param>
    public static (Tensor, Tensor) SqueezeOrExpandToSameRank(Tensor x1, Tensor x2, bool expandRank1 = true)
    {
        long r1 = x1.dim(), r2 = x2.dim();
        if (r1 == r2) return (x1, x2);
        if (r1 == r2 + 1 && x1.shape[^1] == 1)
        {
            if (r2 == 1 && expandRank1) x2 = x2.unsqueeze(-1);
            else x1 = x1.squeeze(-1);
        }
        if (r2 == r1 + 1 && x2.shape[^1] == 1)
        {
            if (r1 == 1 && expandRank1) x1 = x1.unsqueeze(-1);
            else x2 = x2.squeeze(-1);
        }
        return (x1, x2);
    }

    /// <summary><c>a / b</c>, and 0 where <c>b == 0</c> (Keras's <c>divide_no_nan</c>).</summary>
    internal static Tensor DivideNoNan(Tensor a, Tensor b)
    {
        var zero = b.eq(0);
        return torch.where(zero, torch.zeros_like(a), a / torch.where(zero, torch.ones_like(b), b));
    }

    /// <summary>The arguments that rebuild this loss.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["reduction"] = Reduction };

    /// <summary>The registry behind <see cref="Get"/>: every Keras loss alias; register your own with <c>Loss.Registry.Register</c>.</summary>
    public static AliasRegistry<Loss> Registry { get; } = LossAliases.Create();

    /// <summary>The Keras aliases <see cref="Get"/> accepts, sorted.</summary>
    public static IReadOnlyList<string> Aliases => Registry.Aliases;

    /// <summary>Resolves a Keras alias or a <see cref="Loss"/> object.</summary>
    /// <param name="identifier">A <see cref="Loss"/> or an alias such as "mse".</param>
    public static Loss Get(object identifier) => identifier switch
    {
        Loss l => l,
        string s => Registry.Get(s, nameof(identifier)),
        null => throw new ArgumentNullException(nameof(identifier)),
        _ => throw new ArgumentException($"Cannot interpret loss '{identifier}' ({identifier.GetType().Name}).", nameof(identifier)),
    };
}
