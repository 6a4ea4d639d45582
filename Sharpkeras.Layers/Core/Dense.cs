using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// A densely-connected layer: <c>activation(inputs · kernel + bias)</c> on the last axis (Keras's <c>Dense</c>).
/// Kernel shape (inputDim, units), Keras's default glorot_uniform kernel and zero bias.
/// </summary>
public sealed class Dense : Layer
{
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private readonly Func<Tensor, Tensor> _activation;
    private readonly Func<Tensor, Tensor>? _activationInPlace;
    private readonly object? _activityRegularizerArg;

    /// <summary>Creates the layer.</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation alias (default none).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">Initializer alias or object (default "glorot_uniform").</param>
    /// <param name="biasInitializer">Initializer alias or object (default "zeros").</param>
    /// <param name="kernelRegularizer">Regularizer for the kernel.</param>
    /// <param name="biasRegularizer">Regularizer for the bias.</param>
    /// <param name="activityRegularizer">Regularizer for the output.</param>
    /// <param name="kernelConstraint">Constraint for the kernel.</param>
    /// <param name="biasConstraint">Constraint for the bias.</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="dtype">Dtype policy or its name (default the global policy); e.g. "float32" for a float32 output layer
    /// of a mixed-precision model.</param>
    public Dense(int units, string? activation = null, bool useBias = true, object? kernelInitializer = null,
        object? biasInitializer = null, object? kernelRegularizer = null, object? biasRegularizer = null,
        object? activityRegularizer = null, object? kernelConstraint = null, object? biasConstraint = null,
        int?[]? inputShape = null, string? name = null, DTypePolicy? dtype = null)
        : base(name, inputShape: inputShape, dtype: dtype)
    {
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, $"Dense: units must be a positive integer; got {units}.");
        Units = units;
        ActivationName = Activations.Validate(activation);
        _activation = Activations.Get(activation);
        _activationInPlace = Activations.InPlace(_activation);
        UseBias = useBias;
        KernelSpec = new WeightSpec("kernel", kernelInitializer, kernelRegularizer, kernelConstraint, "glorot_uniform");
        BiasSpec = new WeightSpec("bias", biasInitializer, biasRegularizer, biasConstraint, "zeros");
        _activityRegularizerArg = activityRegularizer;
        ActivityRegularizer = LayerArguments.Regularizer(activityRegularizer, nameof(activityRegularizer));
        SupportsMasking = true;
    }

    /// <summary>Creates the layer for a fully known input shape (convenience for <c>inputShape: [784]</c>).</summary>
    /// <param name="units">Output dimension (&gt; 0).</param>
    /// <param name="activation">Activation alias, or null for none.</param>
    /// <param name="inputShape">Input shape without the batch dimension, every dimension known (e.g. <c>[784]</c>).</param>
    /// <param name="name">Layer name.</param>
    public Dense(int units, string? activation, int[] inputShape, string? name = null)
        : this(units, activation, inputShape: inputShape.Select(d => (int?)d).ToArray(), name: name) { }

    /// <summary>Output dimension.</summary>
    public int Units { get; }

    /// <summary>Activation alias, or null.</summary>
    public string? ActivationName { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Kernel initializer.</summary>
    public Initializers.Initializer KernelInitializer => KernelSpec.Initializer;

    /// <summary>Bias initializer.</summary>
    public Initializers.Initializer BiasInitializer => BiasSpec.Initializer;

    /// <summary>Kernel regularizer.</summary>
    public Regularizers.Regularizer? KernelRegularizer => KernelSpec.Regularizer;

    /// <summary>Bias regularizer.</summary>
    public Regularizers.Regularizer? BiasRegularizer => BiasSpec.Regularizer;


    /// <summary>Kernel constraint.</summary>
    public Constraints.Constraint? KernelConstraint => KernelSpec.Constraint;

    /// <summary>Bias constraint.</summary>
    public Constraints.Constraint? BiasConstraint => BiasSpec.Constraint;

    /// <summary>Initializer, regularizer and constraint of the kernel (written into the config).</summary>
    public WeightSpec KernelSpec { get; }

    /// <summary>Initializer, regularizer and constraint of the bias (written into the config).</summary>
    public WeightSpec BiasSpec { get; }

    /// <summary>The kernel weight (after build).</summary>
    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <summary>The bias weight (after build; null without bias).</summary>
    public KerasVariable? Bias => _bias;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"Input of layer '{Name}' (Dense) must have rank >= 2 (batch, features); got shape {ShapeUtils.Format(inputShape)}.");
        if (inputShape[^1] is not int inputDim)
            throw new ArgumentException($"The last dimension of the input of layer '{Name}' (Dense) must be known; got shape {ShapeUtils.Format(inputShape)}.");
        _kernel = KernelSpec.Add(this, "kernel", [inputDim, Units]);
        if (UseBias) _bias = BiasSpec.Add(this, "bias", [Units]);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        var y = _bias is null ? inputs.matmul(_kernel!.Value) : (inputs.dim() == 2
            ? torch.addmm(_bias.Value, inputs, _kernel!.Value, 1, 1)
            : inputs.matmul(_kernel!.Value).add(_bias.Value));
        // y is this call's own product (its backward reads the inputs, not y): tanh, sigmoid and relu overwrite it.
        return _activationInPlace is { } inPlace ? inPlace(y) : _activation(y);
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() < 2 || x.shape[^1] != _kernel!.KerasShape[0])
            throw new ArgumentException(
                $"Input of layer '{Name}' (Dense) is incompatible: expected shape (None, ..., {_kernel!.KerasShape[0]}), got {ShapeUtils.Format(x.shape)}.");
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"Input of layer '{Name}' (Dense) must have rank >= 2 (batch, features); got shape {ShapeUtils.Format(inputShape)}.");
        return [.. inputShape[..^1], Units];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        c["activation"] = ActivationName ?? "linear";
        c["use_bias"] = UseBias;
        KernelSpec.WriteConfig(c);
        BiasSpec.WriteConfig(c);
        c["activity_regularizer"] = LayerArguments.Describe(_activityRegularizerArg);
        return c;
    }
}
