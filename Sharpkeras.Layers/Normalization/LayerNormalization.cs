using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Layer normalization (Keras's <c>LayerNormalization</c>): each sample is normalized over <c>axis</c>
/// (default the last): <c>gamma · (x − mean) / sqrt(var + epsilon) + beta</c>, with the biased variance and
/// gamma/beta of shape <c>input_shape[axis]</c>. Same in training and inference.
/// With Keras's deprecated <c>rmsScaling</c> the output is <c>gamma · x / sqrt(var + epsilon)</c> — scaled by the variance (not
/// the root mean square, as Keras's warning says; use <see cref="RMSNormalization"/> for that), with gamma always and no beta.
/// </summary>
public sealed class LayerNormalization : Layer
{
    private KerasVariable? _gamma;
    private KerasVariable? _beta;
    private long[] _axes = [];
    private long[]? _broadcast;
    private long[]? _fusedShape;

    /// <summary>Creates the layer normalizing over one axis (Keras's defaults).</summary>
    /// <param name="axis">The axis to normalize over (default -1).</param>
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
    /// <param name="rmsScaling">Keras's deprecated <c>rms_scaling</c>: x / sqrt(var + epsilon) · gamma, no centering and no beta.</param>
    public LayerNormalization(int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? betaInitializer = null, object? gammaInitializer = null, object? betaRegularizer = null,
        object? gammaRegularizer = null, object? betaConstraint = null, object? gammaConstraint = null,
        int?[]? inputShape = null, string? name = null, bool rmsScaling = false)
        : this([axis], epsilon, center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer,
            betaConstraint, gammaConstraint, inputShape, name, rmsScaling)
    {
        AxisIsList = false;
    }

    /// <summary>Creates the layer normalizing over several axes (Keras's <c>axis=[...]</c>).</summary>
    /// <param name="axis">The axes to normalize over (not the batch axis).</param>
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
    /// <param name="rmsScaling">Keras's deprecated <c>rms_scaling</c>: x / sqrt(var + epsilon) · gamma, no centering and no beta.</param>
    public LayerNormalization(int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? betaInitializer = null, object? gammaInitializer = null, object? betaRegularizer = null,
        object? gammaRegularizer = null, object? betaConstraint = null, object? gammaConstraint = null,
        int?[]? inputShape = null, string? name = null, bool rmsScaling = false)
        : base(name, inputShape: inputShape)
    {
        ArgumentNullException.ThrowIfNull(axis);
        string owner = $"LayerNormalization '{Name}'";
        if (axis.Length == 0) throw new ArgumentException($"{owner}: argument 'axis' must name at least one axis.", nameof(axis));
        if (axis.Distinct().Count() != axis.Length) throw new ArgumentException($"{owner}: argument 'axis' has repeated axes: [{string.Join(", ", axis)}].", nameof(axis));
        if (!(epsilon >= 0) || double.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{owner}: argument 'epsilon' must be finite and >= 0; got {epsilon}.");
        Axis = axis.ToArray();
        AxisIsList = true;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        RmsScaling = rmsScaling;
        BetaInitializer = Initializers.Initializer.Get(betaInitializer ?? "zeros");
        GammaInitializer = Initializers.Initializer.Get(gammaInitializer ?? "ones");
        BetaRegularizer = Regularizers.Regularizer.Get(betaRegularizer);
        GammaRegularizer = Regularizers.Regularizer.Get(gammaRegularizer);
        BetaConstraint = Constraints.Constraint.Get(betaConstraint);
        GammaConstraint = Constraints.Constraint.Get(gammaConstraint);
        SupportsMasking = true;
    }

    /// <summary>The axes normalized over, as given.</summary>
    public int[] Axis { get; }

    private bool AxisIsList { get; set; }

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }

    /// <summary>Keras's deprecated <c>rms_scaling</c>: divide by sqrt(var + epsilon) without centering; gamma always, no beta.</summary>
    public bool RmsScaling { get; }

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

    /// <summary>gamma (after build; null when neither <see cref="Scale"/> nor <see cref="RmsScaling"/>).</summary>
    public KerasVariable? Gamma => _gamma;

    /// <summary>beta (after build; null when <see cref="Center"/> is false).</summary>
    public KerasVariable? Beta => _beta;

    private long[] NormalizeAxes(int?[] shape)
    {
        int rank = shape.Length;
        var r = new long[Axis.Length];
        for (int i = 0; i < Axis.Length; i++)
        {
            int a = Axis[i] < 0 ? Axis[i] + rank : Axis[i];
            if (a < 1 || a >= rank)
                throw new ArgumentException(
                    $"Layer '{Name}' (LayerNormalization): axis {Axis[i]} is out of range for input shape {ShapeUtils.Format(shape)} (the batch axis 0 cannot be normalized).", "axis");
            r[i] = a;
        }
        if (r.Distinct().Count() != r.Length)
            throw new ArgumentException($"Layer '{Name}' (LayerNormalization): axes [{string.Join(", ", Axis)}] name the same axis twice for input shape {ShapeUtils.Format(shape)}.", "axis");
        return r;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        var axes = NormalizeAxes(inputShape);
        var dims = new long[axes.Length];
        for (int i = 0; i < axes.Length; i++)
            dims[i] = inputShape[axes[i]] is int d ? d
                : throw new ArgumentException($"Layer '{Name}' (LayerNormalization): the dimension of axis {Axis[i]} must be known; got input shape {ShapeUtils.Format(inputShape)}.", "inputs");
        if (Scale || RmsScaling) _gamma = AddWeight("gamma", dims, GammaInitializer, GammaRegularizer, constraint: GammaConstraint);
        if (Center && !RmsScaling) _beta = AddWeight("beta", dims, BetaInitializer, BetaRegularizer, constraint: BetaConstraint);
        _axes = axes;
        int rank = inputShape.Length;
        // Trailing axes in order: torch's fused layer_norm computes exactly Keras's formula.
        bool trailing = axes.Select((a, i) => a == rank - axes.Length + i).All(b => b);
        _fusedShape = trailing && !RmsScaling ? dims : null;
        // Keras reshapes gamma/beta to the input's rank with the normalized dims in place.
        _broadcast = Enumerable.Repeat(1L, rank).ToArray();
        foreach (var a in axes) _broadcast[a] = inputShape[a]!.Value;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (_fusedShape != null)
            return nn.functional.layer_norm(inputs, _fusedShape, _gamma?.Value, _beta?.Value, Epsilon);
        var (variance, mean) = torch.var_mean(inputs, _axes, unbiased: false, keepdim: true);
        var inv = variance.add(Epsilon).rsqrt();
        if (RmsScaling)
        {
            var outputs = inputs.mul(inv);
            return _gamma != null ? outputs.mul(_gamma.Value.reshape(_broadcast!)) : outputs;
        }
        if (_gamma != null) inv = inv.mul(_gamma.Value.reshape(_broadcast!));
        var shift = mean.neg().mul(inv);
        if (_beta != null) shift = shift.add(_beta.Value.reshape(_broadcast!));
        return torch.addcmul(shift, inputs, inv, 1);
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        bool ok = InputShape == null || x.dim() == InputShape.Length;
        for (int i = 0; ok && i < _axes.Length; i++) ok = _axes[i] < x.dim() && x.shape[_axes[i]] == _broadcast![_axes[i]];
        if (!ok)
            throw new ArgumentException(
                $"Input of layer '{Name}' (LayerNormalization) is incompatible: expected shape {ShapeUtils.Format(InputShape)} on the normalized axes, got {ShapeUtils.Format(x.shape)}.", nameof(inputs));
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        NormalizeAxes(inputShape);
        return inputShape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = AxisIsList ? Axis.ToArray() : Axis[0];
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["rms_scaling"] = RmsScaling;
        c["beta_initializer"] = ConvUtils.InitializerConfig(BetaInitializer);
        c["gamma_initializer"] = ConvUtils.InitializerConfig(GammaInitializer);
        c["beta_regularizer"] = ConvUtils.RegularizerConfig(BetaRegularizer);
        c["gamma_regularizer"] = ConvUtils.RegularizerConfig(GammaRegularizer);
        c["beta_constraint"] = ConvUtils.ConstraintConfig(BetaConstraint);
        c["gamma_constraint"] = ConvUtils.ConstraintConfig(GammaConstraint);
        return c;
    }
}
