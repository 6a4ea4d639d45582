using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>Mean of squared errors over the last axis: mean((y - ŷ)²).</summary>
public sealed class MeanSquaredError(string reduction = "sum_over_batch_size", string name = "mean_squared_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        return (p - t).square().mean([-1L]);
    }
}

/// <summary>Mean of absolute errors over the last axis: mean(|y - ŷ|).</summary>
public sealed class MeanAbsoluteError(string reduction = "sum_over_batch_size", string name = "mean_absolute_error") : Loss(name, reduction)
{
    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        return (p - t).abs().mean([-1L]);
    }
}

/// <summary>Shared checks and conversions for losses.</summary>
internal static class LossUtils
{
    /// <summary>Casts y_true to y_pred's type and device; squeezes/expands a trailing 1 so the shapes match; checks shapes.</summary>
    public static (Tensor yTrue, Tensor yPred) Align(Tensor yTrue, Tensor yPred, string lossName)
    {
        var t = yTrue.to(yPred.dtype.IsFloat() ? yPred.dtype : ScalarType.Float32, yPred.device);
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        if (t.dim() == p.dim() - 1 && p.shape[^1] == 1) t = t.unsqueeze(-1);
        else if (p.dim() == t.dim() - 1 && t.shape[^1] == 1) t = t.squeeze(-1);
        if (!t.shape.SequenceEqual(p.shape))
            throw new ArgumentException(
                $"Loss '{lossName}': y_true shape ({string.Join(", ", t.shape)}) does not match y_pred shape ({string.Join(", ", p.shape)}).");
        return (t, p);
    }
}
