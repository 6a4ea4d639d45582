using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The parametric rectified linear unit (Keras's <c>PReLU</c>): <c>x</c> for <c>x ≥ 0</c>, <c>alpha · x</c> otherwise,
/// with a learned <c>alpha</c> of the input's sample shape (initialized to zeros). <c>sharedAxes</c> (1-based, batch
/// excluded, as in Keras) share one alpha along those axes: for (batch, height, width, channels) feature maps,
/// <c>sharedAxes: [1, 2]</c> learns one alpha per channel. Parameter count: the product of the non-shared input dims.
/// </summary>
public sealed class PReLU : Layer
{
    private KerasVariable? _alpha;

    /// <summary>Creates the layer.</summary>
    /// <param name="alphaInitializer">Initializer alias or object for alpha (default "zeros").</param>
    /// <param name="alphaRegularizer">Regularizer for alpha.</param>
    /// <param name="alphaConstraint">Constraint for alpha.</param>
    /// <param name="sharedAxes">1-based axes (batch excluded) along which alpha is shared, or null.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public PReLU(object? alphaInitializer = null, object? alphaRegularizer = null, object? alphaConstraint = null,
        int[]? sharedAxes = null, int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (sharedAxes is not null)
        {
            if (sharedAxes.Any(a => a < 1))
                throw new ArgumentException(
                    $"PReLU: sharedAxes are 1-based axes after the batch axis (each >= 1); got ({string.Join(", ", sharedAxes)}).", nameof(sharedAxes));
            if (sharedAxes.Distinct().Count() != sharedAxes.Length)
                throw new ArgumentException($"PReLU: sharedAxes must not repeat an axis; got ({string.Join(", ", sharedAxes)}).", nameof(sharedAxes));
        }
        AlphaInitializer = Initializers.Initializer.Get(alphaInitializer ?? "zeros");
        AlphaRegularizer = Regularizers.Regularizer.Get(alphaRegularizer);
        AlphaConstraint = Constraints.Constraint.Get(alphaConstraint);
        SharedAxes = sharedAxes is null ? null : (int[])sharedAxes.Clone();
        SupportsMasking = true;
    }

    /// <summary>Initializer of alpha.</summary>
    public Initializers.Initializer AlphaInitializer { get; }

    /// <summary>Regularizer of alpha, or null.</summary>
    public Regularizers.Regularizer? AlphaRegularizer { get; }

    /// <summary>Constraint of alpha, or null.</summary>
    public Constraints.Constraint? AlphaConstraint { get; }

    /// <summary>The 1-based shared axes, or null.</summary>
    public int[]? SharedAxes { get; }

    /// <summary>The alpha weight (after build), shaped like the input's sample shape with 1 on shared axes.</summary>
    public KerasVariable Alpha => _alpha ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    private long[] ParamShape(int?[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"Input of layer '{Name}' (PReLU) must have rank >= 2 (batch, ...); got shape {ShapeUtils.Format(inputShape)}.");
        if (SharedAxes is not null && SharedAxes.Max() >= inputShape.Length)
            throw new ArgumentException(
                $"Layer '{Name}' (PReLU): sharedAxes ({string.Join(", ", SharedAxes)}) must be within 1..{inputShape.Length - 1} for input shape {ShapeUtils.Format(inputShape)}.");
        var p = new long[inputShape.Length - 1];
        for (int i = 1; i < inputShape.Length; i++)
        {
            if (SharedAxes?.Contains(i) == true) { p[i - 1] = 1; continue; }
            p[i - 1] = inputShape[i] ?? throw new ArgumentException(
                $"Layer '{Name}' (PReLU): axis {i} of the input must be known (or listed in sharedAxes) to size alpha; got shape {ShapeUtils.Format(inputShape)}.");
        }
        return p;
    }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        var shape = ParamShape(inputShape);
        _alpha = AddWeight("alpha", shape, AlphaInitializer, AlphaRegularizer, constraint: AlphaConstraint);
    }

    /// <summary>Checks a real input before the computation (ArgumentException naming the layer).</summary>
    private void CheckInput(Tensor[] inputs)
    {
        var x = inputs[0];
        var p = _alpha!.KerasShape;
        bool ok = x.dim() == p.Length + 1;
        for (int i = 0; ok && i < p.Length; i++)
            ok = p[i] == 1 && SharedAxes?.Contains(i + 1) == true || x.shape[i + 1] == p[i];
        if (!ok)
            throw new ArgumentException(
                $"Input of layer '{Name}' (PReLU) is incompatible: expected shape (None, {string.Join(", ", p.Select((d, i) => SharedAxes?.Contains(i + 1) == true ? "*" : d.ToString()))}) " +
                $"(* = shared axis), got {ShapeUtils.Format(x.shape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        CheckInput([inputs]);
        return nn.functional.relu(inputs) - _alpha!.Value * nn.functional.relu(-inputs);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["alpha_initializer"] = ConvUtils.InitializerConfig(AlphaInitializer);
        c["alpha_regularizer"] = ConvUtils.RegularizerConfig(AlphaRegularizer);
        c["alpha_constraint"] = ConvUtils.ConstraintConfig(AlphaConstraint);
        c["shared_axes"] = SharedAxes is null ? null : (int[])SharedAxes.Clone();
        return c;
    }
}
