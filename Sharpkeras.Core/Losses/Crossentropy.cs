using static TorchSharp.torch;

namespace Sharpkeras.Losses;

/// <summary>
/// Binary cross-entropy, averaged over the last axis. Probabilities are clipped to [ε, 1-ε] (ε = 1e-7);
/// with <c>fromLogits</c> the numerically stable logits form is used. Label smoothing: y·(1-s) + 0.5·s.
/// </summary>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
        string reduction = "sum_over_batch_size", string name = "binary_crossentropy") : base(name, reduction)
    {
        if (labelSmoothing is < 0 or > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
        Axis = axis;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The axis averaged over.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        if (LabelSmoothing > 0) t = t * (1.0 - LabelSmoothing) + 0.5 * LabelSmoothing;
        Tensor bce;
        if (FromLogits)
            bce = nn.functional.binary_cross_entropy_with_logits(p, t, reduction: nn.Reduction.None);
        else
        {
            double eps = Keras.Config.Epsilon;
            var pc = p.clamp(eps, 1.0 - eps);
            bce = -(t * pc.log() + (1 - t) * (1 - pc).log());
        }
        return bce.mean([(long)Axis]);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits; c["label_smoothing"] = LabelSmoothing; c["axis"] = Axis;
        return c;
    }
}

/// <summary>
/// Categorical cross-entropy with one-hot labels: −Σ y·log(p) over the last axis. Probabilities are
/// normalised to sum to 1 and clipped to [ε, 1-ε]; <c>fromLogits</c> uses log-softmax.
/// Label smoothing: y·(1-s) + s/numClasses.
/// </summary>
public sealed class CategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
        string reduction = "sum_over_batch_size", string name = "categorical_crossentropy") : base(name, reduction)
    {
        if (labelSmoothing is < 0 or > 1 || double.IsNaN(labelSmoothing))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        FromLogits = fromLogits;
        LabelSmoothing = labelSmoothing;
        Axis = axis;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The class axis.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var (t, p) = LossUtils.Align(yTrue, yPred, Name);
        if (LabelSmoothing > 0) t = t * (1.0 - LabelSmoothing) + LabelSmoothing / p.shape[Axis < 0 ? p.dim() + Axis : Axis];
        Tensor logp;
        if (FromLogits) logp = p.log_softmax(Axis);
        else
        {
            double eps = Keras.Config.Epsilon;
            logp = (p / p.sum([(long)Axis], keepdim: true)).clamp(eps, 1.0 - eps).log();
        }
        return -(t * logp).sum([(long)Axis]);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits; c["label_smoothing"] = LabelSmoothing; c["axis"] = Axis;
        return c;
    }
}

/// <summary>
/// Categorical cross-entropy with integer labels (int64 or uint8): −log p[label]. Probabilities are
/// normalised and clipped to [ε, 1-ε]; <c>fromLogits</c> uses log-softmax. <c>ignoreClass</c> masks a label.
/// </summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    public SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null,
        string reduction = "sum_over_batch_size", string name = "sparse_categorical_crossentropy") : base(name, reduction)
    {
        FromLogits = fromLogits;
        IgnoreClass = ignoreClass;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>A label value that contributes no loss, or null.</summary>
    public int? IgnoreClass { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor yTrue, Tensor yPred)
    {
        var p = yPred.dtype.IsFloat() ? yPred : yPred.to(ScalarType.Float32);
        var t = yTrue;
        if (t.dtype.IsFloat())
            t = t.to(ScalarType.Int64);
        else if (t.dtype != ScalarType.Int64) t = t.to(ScalarType.Int64);
        t = t.to(p.device);
        if (t.dim() == p.dim() && t.shape[^1] == 1) t = t.squeeze(-1);
        if (t.dim() != p.dim() - 1 || !t.shape.SequenceEqual(p.shape[..^1]))
            throw new ArgumentException(
                $"Loss '{Name}': integer labels of shape ({string.Join(", ", yTrue.shape)}) do not fit predictions of shape ({string.Join(", ", p.shape)}); expected labels of shape ({string.Join(", ", p.shape[..^1])}).");
        Tensor logp;
        if (FromLogits) logp = p.log_softmax(-1);
        else
        {
            double eps = Keras.Config.Epsilon;
            logp = (p / p.sum([-1L], keepdim: true)).clamp(eps, 1.0 - eps).log();
        }
        Tensor safeT = t;
        Tensor? keep = null;
        if (IgnoreClass is int ic)
        {
            keep = t.ne(ic);
            safeT = t.where(keep, torch.zeros_like(t));
        }
        var nll = -logp.gather(-1, safeT.unsqueeze(-1)).squeeze(-1);
        if (keep is not null) nll = nll * keep.to(nll.dtype);
        return nll;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits; c["ignore_class"] = IgnoreClass;
        return c;
    }
}
