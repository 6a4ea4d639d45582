using Sharpkeras.Distribution;
using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Batch normalization (Keras's <c>BatchNormalization</c>): <c>gamma · (x − mean) / sqrt(var + epsilon) + beta</c>
/// per feature of <c>axis</c>.
/// </summary>
/// <remarks>
/// In training (<c>training: true</c>, as in <c>Fit</c>) mean and var are the batch's statistics over every
/// other axis — var is the biased (population) variance, as Keras's <c>ops.moments</c> — and the
/// non-trainable weights move: <c>moving = moving · momentum + batch · (1 − momentum)</c> (Keras's momentum;
/// torch's momentum is 1 − this). In inference, and whenever the layer is frozen (<see cref="Layer.Trainable"/>
/// false, as in Keras 3), the moving statistics are used and nothing is updated.
/// Weights in Keras's order: gamma, beta (trainable), moving_mean, moving_variance (non-trainable).
/// With a mask (batch, steps) the statistics are over the unmasked positions only.
/// With <c>synchronized: true</c> and a distribution of several ranks active (<c>Keras.Distribution</c>), the
/// training statistics are those of the global batch: each rank's sample count, sum and sum of squares per feature
/// are summed over the ranks (<see cref="DistributionStrategy.SumOverRanks"/>, differentiable), so a data-parallel
/// run normalizes — and back-propagates — as one process with the whole batch would. Without a distribution it is
/// the ordinary layer.
/// </remarks>
public sealed class BatchNormalization : Layer, ISynchronizedLayer
{
    private KerasVariable? _gamma;
    private KerasVariable? _beta;
    private KerasVariable? _movingMean;
    private KerasVariable? _movingVariance;
    private int _axis = -1;

    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="axis">The feature axis (default -1, the channels of channels_last data; 1 for channels_first).</param>
    /// <param name="momentum">The moving averages' momentum, in [0, 1] (default 0.99).</param>
    /// <param name="epsilon">Added to the variance (default 1e-3).</param>
    /// <param name="center">Whether to add the learned offset beta.</param>
    /// <param name="scale">Whether to multiply by the learned scale gamma.</param>
    /// <param name="betaInitializer">Initializer for beta (default "zeros").</param>
    /// <param name="gammaInitializer">Initializer for gamma (default "ones").</param>
    /// <param name="movingMeanInitializer">Initializer for moving_mean (default "zeros").</param>
    /// <param name="movingVarianceInitializer">Initializer for moving_variance (default "ones").</param>
    /// <param name="betaRegularizer">Regularizer for beta.</param>
    /// <param name="gammaRegularizer">Regularizer for gamma.</param>
    /// <param name="betaConstraint">Constraint for beta.</param>
    /// <param name="gammaConstraint">Constraint for gamma.</param>
    /// <param name="synchronized">In training under a distribution of several ranks, compute the batch statistics over the global batch (all ranks) instead of each rank's part (Keras's <c>synchronized</c>, default false).</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? betaInitializer = null, object? gammaInitializer = null, object? movingMeanInitializer = null,
        object? movingVarianceInitializer = null, object? betaRegularizer = null, object? gammaRegularizer = null,
        object? betaConstraint = null, object? gammaConstraint = null, bool synchronized = false, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        string owner = $"BatchNormalization '{Name}'";
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"{owner}: argument 'momentum' must be in [0, 1]; got {momentum}.");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{owner}: argument 'epsilon' must be finite and >= 0; got {epsilon}.");
        Axis = axis;
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = Initializers.Initializer.Get(betaInitializer ?? "zeros");
        GammaInitializer = Initializers.Initializer.Get(gammaInitializer ?? "ones");
        MovingMeanInitializer = Initializers.Initializer.Get(movingMeanInitializer ?? "zeros");
        MovingVarianceInitializer = Initializers.Initializer.Get(movingVarianceInitializer ?? "ones");
        BetaRegularizer = Regularizers.Regularizer.Get(betaRegularizer);
        GammaRegularizer = Regularizers.Regularizer.Get(gammaRegularizer);
        BetaConstraint = Constraints.Constraint.Get(betaConstraint);
        GammaConstraint = Constraints.Constraint.Get(gammaConstraint);
        Synchronized = synchronized;
        SupportsMasking = true;
    }

    /// <summary>The feature axis as given (may be negative).</summary>
    public int Axis { get; }

    /// <summary>The moving averages' momentum (Keras's meaning).</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>Whether training statistics are computed over the ranks of the active distribution.</summary>
    public bool Synchronized { get; }

    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }

    /// <summary>Initializer for beta.</summary>
    public Initializers.Initializer BetaInitializer { get; }

    /// <summary>Initializer for gamma.</summary>
    public Initializers.Initializer GammaInitializer { get; }

    /// <summary>Initializer for moving_mean.</summary>
    public Initializers.Initializer MovingMeanInitializer { get; }

    /// <summary>Initializer for moving_variance.</summary>
    public Initializers.Initializer MovingVarianceInitializer { get; }

    /// <summary>Regularizer for beta.</summary>
    public Regularizers.Regularizer? BetaRegularizer { get; }

    /// <summary>Regularizer for gamma.</summary>
    public Regularizers.Regularizer? GammaRegularizer { get; }

    /// <summary>Constraint for beta.</summary>
    public Constraints.Constraint? BetaConstraint { get; }

    /// <summary>Constraint for gamma.</summary>
    public Constraints.Constraint? GammaConstraint { get; }

    /// <summary>gamma (after build; null when <see cref="Scale"/> is false).</summary>
    public KerasVariable? Gamma => _gamma;

    /// <summary>beta (after build; null when <see cref="Center"/> is false).</summary>
    public KerasVariable? Beta => _beta;

    /// <summary>The moving mean (non-trainable; after build).</summary>
    public KerasVariable MovingMean => _movingMean ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The moving variance (non-trainable; after build).</summary>
    public KerasVariable MovingVariance => _movingVariance ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    private int NormalizeAxis(int rank, int?[]? shapeForMessage)
    {
        int a = Axis < 0 ? Axis + rank : Axis;
        if (a < 1 || a >= rank)
            throw new ArgumentException(
                $"Layer '{Name}' (BatchNormalization): axis {Axis} is out of range for input shape {ShapeUtils.Format(shapeForMessage)} (the batch axis 0 cannot be normalized).", "axis");
        return a;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        int a = NormalizeAxis(inputShape.Length, inputShape);
        if (inputShape[a] is not int dim)
            throw new ArgumentException($"Layer '{Name}' (BatchNormalization): the dimension of axis {Axis} must be known; got input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        _axis = a;
        if (Scale) _gamma = AddWeight("gamma", [dim], GammaInitializer, GammaRegularizer, constraint: GammaConstraint);
        if (Center) _beta = AddWeight("beta", [dim], BetaInitializer, BetaRegularizer, constraint: BetaConstraint);
        _movingMean = AddWeight("moving_mean", [dim], MovingMeanInitializer, trainable: false);
        _movingVariance = AddWeight("moving_variance", [dim], MovingVarianceInitializer, trainable: false);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Call(inputs, training, null);

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training, Tensor? mask)
    {
        int rank = (int)inputs.dim();
        int a = _axis;
        long channels = inputs.shape[a];
        bool useBatchStats = training && Trainable;
        long perChannel = inputs.numel() / Math.Max(channels, 1);
        if (useBatchStats && Synchronized && Keras.Distribution.Current is { WorldSize: > 1 } distribution)
            return CallSynchronized(inputs, mask, distribution);

        if (mask is null && (!useBatchStats || perChannel > 1))
        {
            // torch's fused kernel wants the features on axis 1: a permuted view (no copy; channels_last strides).
            long[]? perm = a == 1 ? null : MoveToOne(rank, a);
            var x = perm is null ? inputs : inputs.permute(perm);
            Tensor y;
            if (!useBatchStats)
            {
                y = nn.functional.batch_norm(x, _movingMean!.Value, _movingVariance!.Value, _gamma?.Value, _beta?.Value, false, 0.0, Epsilon);
            }
            else
            {
                // With momentum 1, torch leaves the batch mean and the unbiased batch variance in these buffers.
                var batchMean = torch.zeros(channels, dtype: inputs.dtype, device: inputs.device);
                var batchVar = torch.zeros(channels, dtype: inputs.dtype, device: inputs.device);
                y = nn.functional.batch_norm(x, batchMean, batchVar, _gamma?.Value, _beta?.Value, true, 1.0, Epsilon);
                using (torch.no_grad())
                {
                    // Keras: moving = moving·momentum + batch·(1 − momentum), with the biased variance (n−1)/n·unbiased.
                    double biased = (perChannel - 1) / (double)perChannel;
                    _movingMean!.Value.mul_(Momentum).add_(batchMean, 1.0 - Momentum);
                    _movingVariance!.Value.mul_(Momentum).add_(batchVar, (1.0 - Momentum) * biased);
                }
            }
            return perm is null ? y : y.permute(Inverse(perm));
        }

        // General path: masked statistics, or a single value per channel.
        long[] reduce = Enumerable.Range(0, rank).Where(i => i != a).Select(i => (long)i).ToArray();
        long[] bshape = Enumerable.Repeat(1L, rank).ToArray();
        bshape[a] = channels;
        Tensor mean, variance;
        if (useBatchStats)
        {
            (mean, variance) = Moments(inputs, mask, reduce);
            using (torch.no_grad())
            {
                _movingMean!.Value.mul_(Momentum).add_(mean.detach().reshape(channels), 1.0 - Momentum);
                _movingVariance!.Value.mul_(Momentum).add_(variance.detach().reshape(channels), 1.0 - Momentum);
            }
        }
        else
        {
            mean = _movingMean!.Value.view(bshape);
            variance = _movingVariance!.Value.view(bshape);
        }
        var inv = variance.add(Epsilon).rsqrt();
        if (_gamma != null) inv = inv.mul(_gamma.Value.view(bshape));
        var shift = mean.neg().mul(inv);
        if (_beta != null) shift = shift.add(_beta.Value.view(bshape));
        return torch.addcmul(shift, inputs, inv, 1);
    }

    /// <summary>
    /// Training with statistics over all ranks: one differentiable all-reduce of [count, Σ(x − k), Σ(x − k)²] per
    /// feature, shifted by the moving mean k (identical on every rank) against cancellation; mean and biased
    /// variance of the global batch follow (with a mask, weighted by it as in <see cref="Moments"/>).
    /// </summary>
    private Tensor CallSynchronized(Tensor inputs, Tensor? mask, DistributionStrategy distribution)
    {
        int rank = (int)inputs.dim();
        int a = _axis;
        long channels = inputs.shape[a];
        long[] reduce = Enumerable.Range(0, rank).Where(i => i != a).Select(i => (long)i).ToArray();
        long[] bshape = Enumerable.Repeat(1L, rank).ToArray();
        bshape[a] = channels;
        var statType = inputs.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var x = inputs.to(statType);
        var shift = _movingMean!.Value.detach().to(statType).clone().view(bshape);
        var centred = x - shift;
        Tensor count, sum, squares;
        if (mask is null)
        {
            count = torch.full([channels], (double)(inputs.numel() / Math.Max(channels, 1)), dtype: statType, device: inputs.device);
            sum = centred.sum(reduce);
            squares = centred.square().sum(reduce);
        }
        else
        {
            if (mask.dim() != inputs.dim() - 1)
                throw new ArgumentException(
                    $"The mask must have one dimension less than the inputs; got mask shape {ShapeUtils.Format(mask.shape)} for inputs {ShapeUtils.Format(inputs.shape)}.", nameof(mask));
            var w = mask.to(statType).unsqueeze(-1).expand(inputs.shape);
            count = w.sum(reduce);
            sum = centred.mul(w).sum(reduce);
            squares = centred.square().mul(w).sum(reduce);
        }
        var total = distribution.SumOverRanks(torch.cat([count, sum, squares], 0));
        var n = total.narrow(0, 0, channels);
        if (mask is not null) n = n.add(Keras.Config.Epsilon); // Keras's masked moments divide by the weight sum plus epsilon
        var s = total.narrow(0, channels, channels);
        var q = total.narrow(0, 2 * channels, channels);
        var meanShifted = s.div(n);
        // Σ w (x − k − m)² = Q − 2 m S + m² N, over the same denominator as the mean.
        var variance = q.sub(meanShifted.mul(s).mul(2)).add(meanShifted.square().mul(total.narrow(0, 0, channels))).div(n).clamp_min(0);
        var mean = meanShifted.add(shift.view(channels));
        using (torch.no_grad())
        {
            _movingMean!.Value.mul_(Momentum).add_(mean.detach().to(_movingMean.Value.dtype), 1.0 - Momentum);
            _movingVariance!.Value.mul_(Momentum).add_(variance.detach().to(_movingVariance.Value.dtype), 1.0 - Momentum);
        }
        var inv = variance.add(Epsilon).rsqrt();
        if (_gamma != null) inv = inv.mul(_gamma.Value.to(statType));
        var offset = mean.neg().mul(inv);
        if (_beta != null) offset = offset.add(_beta.Value.to(statType));
        return torch.addcmul(offset.view(bshape), x, inv.view(bshape), 1).to(inputs.dtype);
    }

    private static (Tensor mean, Tensor variance) Moments(Tensor x, Tensor? mask, long[] reduce)
    {
        if (mask is null)
        {
            var (v, m) = torch.var_mean(x, reduce, unbiased: false, keepdim: true);
            return (m, v);
        }
        if (mask.dim() != x.dim() - 1)
            throw new ArgumentException(
                $"The mask must have one dimension less than the inputs; got mask shape {ShapeUtils.Format(mask.shape)} for inputs {ShapeUtils.Format(x.shape)}.", nameof(mask));
        // Keras's masked moments: weighted by the mask, each sum of weights plus Keras's epsilon.
        var w = mask.to(x.dtype).unsqueeze(-1);
        var wsum = w.expand(x.shape).sum(reduce, keepdim: true).add(Keras.Config.Epsilon);
        var mean = x.mul(w).sum(reduce, keepdim: true).div(wsum);
        var variance = w.mul(x.mul(w).sub(mean).square()).sum(reduce, keepdim: true).div(wsum);
        return (mean, variance);
    }

    private static long[] MoveToOne(int rank, int a)
    {
        var p = new List<long> { 0, a };
        for (int i = 1; i < rank; i++) if (i != a) p.Add(i);
        return p.ToArray();
    }

    private static long[] Inverse(long[] perm)
    {
        var inv = new long[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        if (InputShape != null && x.dim() != InputShape.Length || x.dim() <= _axis || x.shape[_axis] != _movingMean!.KerasShape[0])
            throw new ArgumentException(
                $"Input of layer '{Name}' (BatchNormalization) is incompatible: expected rank {InputShape?.Length} with {_movingMean!.KerasShape[0]} features on axis {Axis}, got shape {ShapeUtils.Format(x.shape)}.", nameof(inputs));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        NormalizeAxis(inputShape.Length, inputShape);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["beta_initializer"] = ConvUtils.InitializerConfig(BetaInitializer);
        c["gamma_initializer"] = ConvUtils.InitializerConfig(GammaInitializer);
        c["moving_mean_initializer"] = ConvUtils.InitializerConfig(MovingMeanInitializer);
        c["moving_variance_initializer"] = ConvUtils.InitializerConfig(MovingVarianceInitializer);
        c["beta_regularizer"] = ConvUtils.RegularizerConfig(BetaRegularizer);
        c["gamma_regularizer"] = ConvUtils.RegularizerConfig(GammaRegularizer);
        c["beta_constraint"] = ConvUtils.ConstraintConfig(BetaConstraint);
        c["gamma_constraint"] = ConvUtils.ConstraintConfig(GammaConstraint);
        c["synchronized"] = Synchronized;
        return c;
    }
}
