using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Keras's <c>BatchNormalization</c>: in training, normalises with the batch's mean and (biased) variance and updates
/// <c>moving = moving·momentum + batch·(1 − momentum)</c> (Keras momentum 0.99; torch's momentum is 1 − this);
/// in inference, and whenever the layer is frozen (<c>Trainable = false</c>, as in Keras 3), it uses the moving
/// statistics. gamma/beta are trainable; moving_mean/moving_variance are non-trainable weights.
/// </summary>
public sealed class BatchNormalization : Layer
{
    private KerasVariable? _gamma, _beta, _movingMean, _movingVar;

    /// <summary>Creates the layer.</summary>
    public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
        object? betaInitializer = null, object? gammaInitializer = null, object? movingMeanInitializer = null,
        object? movingVarianceInitializer = null, object? betaRegularizer = null, object? gammaRegularizer = null,
        int?[]? inputShape = null, string? name = null) : base(name, inputShape: inputShape)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNormalization: momentum must be in [0, 1].");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "BatchNormalization: epsilon must be > 0.");
        Axis = axis; Momentum = momentum; Epsilon = epsilon; Center = center; Scale = scale;
        BetaInitializer = Initializers.Initializer.Get(betaInitializer ?? "zeros");
        GammaInitializer = Initializers.Initializer.Get(gammaInitializer ?? "ones");
        MovingMeanInitializer = Initializers.Initializer.Get(movingMeanInitializer ?? "zeros");
        MovingVarianceInitializer = Initializers.Initializer.Get(movingVarianceInitializer ?? "ones");
        BetaRegularizer = Regularizers.Regularizer.Get(betaRegularizer);
        GammaRegularizer = Regularizers.Regularizer.Get(gammaRegularizer);
        SupportsMasking = true;
    }

    /// <summary>The feature axis (default -1, the channels of channels_last data).</summary>
    public int Axis { get; }
    /// <summary>Keras momentum of the moving statistics (0.99).</summary>
    public double Momentum { get; }
    /// <summary>Added to the variance (1e-3).</summary>
    public double Epsilon { get; }
    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }
    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }
    /// <summary>Beta initializer.</summary>
    public Initializers.Initializer BetaInitializer { get; }
    /// <summary>Gamma initializer.</summary>
    public Initializers.Initializer GammaInitializer { get; }
    /// <summary>Moving mean initializer.</summary>
    public Initializers.Initializer MovingMeanInitializer { get; }
    /// <summary>Moving variance initializer.</summary>
    public Initializers.Initializer MovingVarianceInitializer { get; }
    /// <summary>Beta regularizer.</summary>
    public Regularizers.Regularizer? BetaRegularizer { get; }
    /// <summary>Gamma regularizer.</summary>
    public Regularizers.Regularizer? GammaRegularizer { get; }

    private int _axis;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"Input of layer '{Name}' (BatchNormalization) must have rank >= 2; got {ShapeUtils.Format(inputShape)}.");
        _axis = Axis < 0 ? inputShape.Length + Axis : Axis;
        if (_axis <= 0 || _axis >= inputShape.Length)
            throw new ArgumentException($"Layer '{Name}' (BatchNormalization): axis {Axis} is out of range for input shape {ShapeUtils.Format(inputShape)}.", nameof(Axis));
        if (inputShape[_axis] is not int dim)
            throw new ArgumentException($"Layer '{Name}' (BatchNormalization): the dimension of axis {Axis} must be known; got {ShapeUtils.Format(inputShape)}.");
        if (Scale) _gamma = AddWeight("gamma", [dim], GammaInitializer, GammaRegularizer);
        if (Center) _beta = AddWeight("beta", [dim], BetaInitializer, BetaRegularizer);
        _movingMean = AddWeight("moving_mean", [dim], MovingMeanInitializer, trainable: false);
        _movingVar = AddWeight("moving_variance", [dim], MovingVarianceInitializer, trainable: false);
        Features = dim;
    }

    /// <summary>The normalised dimension's size.</summary>
    public int Features { get; private set; }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        int axis = Axis < 0 ? (int)x.dim() + Axis : Axis;
        if (axis <= 0 || axis >= x.dim() || x.shape[axis] != Features)
            throw new ArgumentException(
                $"Input of layer '{Name}' (BatchNormalization) is incompatible: expected {Features} features on axis {Axis}, got shape {ShapeUtils.Format(x.shape)}.");
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        int axis = Axis < 0 ? (int)inputs.dim() + Axis : Axis;
        // torch wants the features on axis 1: move them there as a view.
        Tensor x = inputs;
        long[]? perm = null;
        if (axis != 1)
        {
            perm = Enumerable.Range(0, (int)inputs.dim()).Select(i => (long)i).ToArray();
            perm[1] = axis; perm[axis] = 1;
            x = inputs.permute(perm);
        }
        Tensor y;
        if (training && Trainable)
        {
            y = nn.functional.batch_norm(x, null, null, _gamma?.Value, _beta?.Value, training: true, eps: Epsilon);
            using (torch.no_grad())
            {
                var dims = Enumerable.Range(0, (int)x.dim()).Where(i => i != 1).Select(i => (long)i).ToArray();
                var xd = x.detach();
                var mean = xd.mean(dims);
                var variance = xd.var(dims, unbiased: false);
                _movingMean!.Value.mul_(Momentum).add_(mean, alpha: 1 - Momentum);
                _movingVar!.Value.mul_(Momentum).add_(variance, alpha: 1 - Momentum);
            }
        }
        else
        {
            y = nn.functional.batch_norm(x, _movingMean!.Value, _movingVar!.Value, _gamma?.Value, _beta?.Value, training: false, eps: Epsilon);
        }
        return perm is null ? y : y.permute(perm);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => inputShape;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis; c["momentum"] = Momentum; c["epsilon"] = Epsilon; c["center"] = Center; c["scale"] = Scale;
        return c;
    }
}
