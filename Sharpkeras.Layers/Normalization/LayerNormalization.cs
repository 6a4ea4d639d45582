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
public sealed class LayerNormalization : BaseAxisNormalization
{
    private KerasVariable? _gamma;
    private KerasVariable? _beta;
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
        : base("LayerNormalization", axis, epsilon, inputShape, name)
    {
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

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        var dims = BuildAxes(inputShape, sort: false);
        var axes = NormalizedAxes;
        if (Scale || RmsScaling) _gamma = AddWeight("gamma", dims, GammaInitializer, GammaRegularizer, constraint: GammaConstraint);
        if (Center && !RmsScaling) _beta = AddWeight("beta", dims, BetaInitializer, BetaRegularizer, constraint: BetaConstraint);
        int rank = inputShape.Length;
        // Trailing axes in order: torch's fused layer_norm computes exactly Keras's formula.
        bool trailing = axes.Select((a, i) => a == rank - axes.Length + i).All(b => b);
        _fusedShape = trailing && !RmsScaling ? dims : null;
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        if (_fusedShape != null)
            return nn.functional.layer_norm(inputs, _fusedShape, _gamma?.Value, _beta?.Value, Epsilon);
        var (variance, mean) = torch.var_mean(inputs, NormalizedAxes, unbiased: false, keepdim: true);
        var inv = variance.add(Epsilon).rsqrt();
        if (RmsScaling)
        {
            var outputs = inputs.mul(inv);
            return _gamma != null ? outputs.mul(_gamma.Value.reshape(BroadcastShape!)) : outputs;
        }
        if (_gamma != null) inv = inv.mul(_gamma.Value.reshape(BroadcastShape!));
        var shift = mean.neg().mul(inv);
        if (_beta != null) shift = shift.add(_beta.Value.reshape(BroadcastShape!));
        return torch.addcmul(shift, inputs, inv, 1);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
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
