using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Group normalization (Keras's <c>GroupNormalization</c>): the channels of <c>axis</c> are split into
/// <c>groups</c> consecutive groups and each sample is normalized per group, over the group's channels and
/// every other non-batch axis, with the biased variance; then per-channel <c>gamma · x̂ + beta</c>.
/// <c>groups: -1</c> means one group per channel (instance normalization); 1 is layer normalization over all
/// axes with per-channel scale. Same in training and inference.
/// </summary>
public sealed class GroupNormalization : Layer
{
    private KerasVariable? _gamma;
    private KerasVariable? _beta;
    private int _axis;
    private int _groups;
    private long _channels;

    /// <summary>Creates the layer (Keras's defaults).</summary>
    /// <param name="groups">The number of groups (default 32; must divide the channels; -1: one per channel).</param>
    /// <param name="axis">The channel axis (default -1).</param>
    /// <param name="epsilon">Added to the variance (default 1e-3).</param>
    /// <param name="center">Whether to add the learned offset beta.</param>
    /// <param name="scale">Whether to multiply by the learned scale gamma.</param>
    /// <param name="betaInitializer">Initializer for beta (default "zeros").</param>
    /// <param name="gammaInitializer">Initializer for gamma (default "ones").</param>
    /// <param name="betaRegularizer">Regularizer for beta.</param>
    /// <param name="gammaRegularizer">Regularizer for gamma.</param>
    /// <param name="betaConstraint">Constraint for beta.</param>
    /// <param name="gammaConstraint">Constraint for gamma.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public GroupNormalization(int groups = 32, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? betaInitializer = null, object? gammaInitializer = null, object? betaRegularizer = null,
        object? gammaRegularizer = null, object? betaConstraint = null, object? gammaConstraint = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        string owner = $"GroupNormalization '{Name}'";
        if (groups == 0 || groups < -1)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{owner}: argument 'groups' must be a positive integer or -1; got {groups}.");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{owner}: argument 'epsilon' must be finite and >= 0; got {epsilon}.");
        Groups = groups;
        Axis = axis;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = Initializers.Initializer.Get(betaInitializer ?? "zeros");
        GammaInitializer = Initializers.Initializer.Get(gammaInitializer ?? "ones");
        BetaRegularizer = Regularizers.Regularizer.Get(betaRegularizer);
        GammaRegularizer = Regularizers.Regularizer.Get(gammaRegularizer);
        BetaConstraint = Constraints.Constraint.Get(betaConstraint);
        GammaConstraint = Constraints.Constraint.Get(gammaConstraint);
        SupportsMasking = true;
    }

    /// <summary>The number of groups as given (-1: one per channel).</summary>
    public int Groups { get; }

    /// <summary>The channel axis as given.</summary>
    public int Axis { get; }

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }

    /// <summary>Initializer for beta.</summary>
    public Initializers.Initializer BetaInitializer { get; }

    /// <summary>Initializer for gamma.</summary>
    public Initializers.Initializer GammaInitializer { get; }

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

    private int NormalizeAxis(int?[] shape)
    {
        int a = Axis < 0 ? Axis + shape.Length : Axis;
        if (a < 1 || a >= shape.Length)
            throw new ArgumentException(
                $"Layer '{Name}' (GroupNormalization): axis {Axis} is out of range for input shape {ShapeUtils.Format(shape)} (the batch axis 0 cannot be normalized).", "axis");
        return a;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        int a = NormalizeAxis(inputShape);
        if (inputShape[a] is not int dim)
            throw new ArgumentException($"Layer '{Name}' (GroupNormalization): the dimension of axis {Axis} must be known; got input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        int groups = Groups == -1 ? dim : Groups;
        if (dim < groups)
            throw new ArgumentException(
                $"Layer '{Name}' (GroupNormalization): the number of groups ({groups}) cannot be more than the number of channels ({dim}) of input shape {ShapeUtils.Format(inputShape)}.", "groups");
        if (dim % groups != 0)
            throw new ArgumentException(
                $"Layer '{Name}' (GroupNormalization): the number of channels ({dim}) of input shape {ShapeUtils.Format(inputShape)} must be a multiple of the number of groups ({groups}).", "groups");
        _axis = a;
        _groups = groups;
        _channels = dim;
        if (Scale) _gamma = AddWeight("gamma", [dim], GammaInitializer, GammaRegularizer, constraint: GammaConstraint);
        if (Center) _beta = AddWeight("beta", [dim], BetaInitializer, BetaRegularizer, constraint: BetaConstraint);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        // Channels on axis 1 of a contiguous tensor: torch's fused kernel computes exactly Keras's formula.
        if (_axis == 1 && inputs.is_contiguous())
            return nn.functional.group_norm(inputs, _groups, _gamma?.Value, _beta?.Value, Epsilon);
        // Otherwise Keras's own route, with no layout copy for channels_last data: view the channel axis as
        // (groups, channels / groups) and take the moments over every other non-batch axis. (libtorch 2.10's
        // group_norm backward crashes on a channels_last-strided view, so it is not used for that layout.)
        var shape = inputs.shape;
        long[] grouped = [.. shape[.._axis], _groups, _channels / _groups, .. shape[(_axis + 1)..]];
        var g = inputs.reshape(grouped);
        var reduce = Enumerable.Range(1, grouped.Length - 1).Where(i => i != _axis).Select(i => (long)i).ToArray();
        var (variance, mean) = torch.var_mean(g, reduce, unbiased: false, keepdim: true);
        var inv = variance.add(Epsilon).rsqrt();
        var bshape = Enumerable.Repeat(1L, grouped.Length).ToArray();
        bshape[_axis] = _groups;
        bshape[_axis + 1] = _channels / _groups;
        if (_gamma != null) inv = inv.mul(_gamma.Value.view(bshape));
        var shift = mean.neg().mul(inv);
        if (_beta != null) shift = shift.add(_beta.Value.view(bshape));
        return torch.addcmul(shift, g, inv, 1).reshape(shape);
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        int rank = InputShape?.Length ?? (int)x.dim();
        if (x.dim() != rank || x.shape[_axis] != _channels)
            throw new ArgumentException(
                $"Input of layer '{Name}' (GroupNormalization) is incompatible: expected shape {ShapeUtils.Format(InputShape)} with its channels on axis {Axis}, got {ShapeUtils.Format(x.shape)}.", nameof(inputs));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        NormalizeAxis(inputShape);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["groups"] = Groups;
        c["axis"] = Axis;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["beta_initializer"] = ConvUtils.InitializerConfig(BetaInitializer);
        c["gamma_initializer"] = ConvUtils.InitializerConfig(GammaInitializer);
        c["beta_regularizer"] = ConvUtils.RegularizerConfig(BetaRegularizer);
        c["gamma_regularizer"] = ConvUtils.RegularizerConfig(GammaRegularizer);
        c["beta_constraint"] = ConvUtils.ConstraintConfig(BetaConstraint);
        c["gamma_constraint"] = ConvUtils.ConstraintConfig(GammaConstraint);
        return c;
    }
}
