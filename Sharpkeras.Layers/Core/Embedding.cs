using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Turns non-negative integer indices into dense vectors of fixed size (Keras's <c>keras.layers.Embedding</c>):
/// input (batch, …) of ids in [0, inputDim) → output (batch, …, outputDim), row <c>id</c> of the
/// <c>embeddings</c> matrix (inputDim, outputDim).
/// </summary>
/// <remarks>
/// <para>Integer inputs are used as they are; float inputs are truncated to integers, as Keras casts them.</para>
/// <para>
/// With <c>maskZero: true</c>, index 0 is padding: the layer produces the mask <c>inputs != 0</c>, which flows to
/// the next layers (LSTM, GRU, SimpleRNN, Bidirectional skip the masked steps). Index 0 then still needs a row,
/// so <c>inputDim</c> = vocabulary size + 1, as in Keras.
/// </para>
/// <para>
/// Out-of-range ids: on CPU tensors the layer checks the smallest and largest id before the lookup and throws
/// <see cref="ArgumentException"/> naming the layer and the offending value. On other devices that check would
/// cost a host synchronisation on every call, so it is not made: out-of-range ids there give zero vectors
/// (as Keras does on GPU) instead of a device-side assertion.
/// </para>
/// </remarks>
public sealed class Embedding : Layer
{
    private KerasVariable? _embeddings;
    private readonly object? _activityRegularizerArg;
    private Tensor? _initialWeights;

    /// <summary>Creates the layer (Keras's arguments and defaults).</summary>
    /// <param name="inputDim">Vocabulary size: largest index + 1 (&gt; 0).</param>
    /// <param name="outputDim">Size of each vector (&gt; 0).</param>
    /// <param name="embeddingsInitializer">Initializer of <c>embeddings</c> (default "uniform" = RandomUniform(-0.05, 0.05)).</param>
    /// <param name="embeddingsRegularizer">Regularizer of <c>embeddings</c>.</param>
    /// <param name="embeddingsConstraint">Constraint of <c>embeddings</c>.</param>
    /// <param name="maskZero">Whether index 0 is padding, masked out for the following layers.</param>
    /// <param name="weights">Optional initial embeddings (inputDim, outputDim), assigned when the layer is built.</param>
    /// <param name="activityRegularizer">Regularizer of the output.</param>
    /// <param name="inputShape">Input shape without the batch dimension (e.g. [sequenceLength]).</param>
    /// <param name="name">Layer name.</param>
    public Embedding(int inputDim, int outputDim, object? embeddingsInitializer = null, object? embeddingsRegularizer = null,
        object? embeddingsConstraint = null, bool maskZero = false, Tensor? weights = null, object? activityRegularizer = null,
        int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (inputDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, $"Embedding '{Name}': inputDim must be a positive integer; got {inputDim}.");
        if (outputDim <= 0)
            throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, $"Embedding '{Name}': outputDim must be a positive integer; got {outputDim}.");
        InputDim = inputDim;
        OutputDim = outputDim;
        EmbeddingsSpec = new WeightSpec("embeddings", embeddingsInitializer, embeddingsRegularizer, embeddingsConstraint, "uniform");
        _activityRegularizerArg = activityRegularizer;
        ActivityRegularizer = LayerArguments.Regularizer(activityRegularizer, nameof(activityRegularizer));
        MaskZero = maskZero;
        SupportsMasking = maskZero;
        AcceptsIntegerInput = true;
        if (weights is not null)
        {
            if (!weights.shape.SequenceEqual([inputDim, (long)outputDim]))
                throw new ArgumentException(
                    $"Embedding '{Name}': weights must have shape ({inputDim}, {outputDim}); got ({string.Join(", ", weights.shape)}).", nameof(weights));
            _initialWeights = weights.detach().cpu().clone().DetachFromDisposeScope();
        }
    }

    /// <summary>Vocabulary size (largest index + 1).</summary>
    public int InputDim { get; }

    /// <summary>Size of each embedding vector.</summary>
    public int OutputDim { get; }

    /// <summary>Whether index 0 is masked padding.</summary>
    public bool MaskZero { get; }

    /// <summary>Initializer of <c>embeddings</c>.</summary>
    public Initializers.Initializer EmbeddingsInitializer => EmbeddingsSpec.Initializer;

    /// <summary>Regularizer of <c>embeddings</c>.</summary>
    public Regularizers.Regularizer? EmbeddingsRegularizer => EmbeddingsSpec.Regularizer;

    /// <summary>Constraint of <c>embeddings</c>.</summary>
    public Constraints.Constraint? EmbeddingsConstraint => EmbeddingsSpec.Constraint;

    /// <summary>Initializer, regularizer and constraint of the embeddings matrix (written into the config).</summary>
    public WeightSpec EmbeddingsSpec { get; }


    /// <summary>The embeddings matrix (inputDim, outputDim) (after build).</summary>
    public KerasVariable Embeddings => _embeddings ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    /// <inheritdoc />
    protected override bool ProducesMask => MaskZero;

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length < 1)
            throw new ArgumentException($"Input of layer '{Name}' (Embedding) must include the batch dimension; got shape {ShapeUtils.Format(inputShape)}.");
        _embeddings = EmbeddingsSpec.Add(this, "embeddings", [InputDim, OutputDim]);
        if (_initialWeights is not null)
        {
            _embeddings.Assign(_initialWeights);
            _initialWeights.Dispose();
            _initialWeights = null;
        }
    }

    /// <inheritdoc />
    protected override void ValidateInputs(Tensor[] inputs)
    {
        if (inputs.Length != 1)
            throw new ArgumentException($"Layer '{Name}' (Embedding) takes 1 input, got {inputs.Length}.", nameof(inputs));
        var x = inputs[0];
        if (x.dtype == ScalarType.Bool || x.dtype.IsComplexType())
            throw new ArgumentException($"Input of layer '{Name}' (Embedding) must hold integer indices; got dtype {x.dtype}.", nameof(inputs));
        if (x.device_type != DeviceType.CPU || x.numel() == 0) return;
        using var _ = torch.no_grad();
        var ids = x.dtype.IsFloat() ? x.to(ScalarType.Int64) : x;
        long lo = ids.min().to(ScalarType.Int64).item<long>(), hi = ids.max().to(ScalarType.Int64).item<long>();
        if (lo < 0 || hi >= InputDim)
            throw new ArgumentException(
                $"Input of layer '{Name}' (Embedding) has index {(lo < 0 ? lo : hi)} outside [0, {InputDim - 1}] (inputDim = {InputDim}).", nameof(inputs));
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var ids = inputs.dtype == ScalarType.Int64 ? inputs : inputs.to(ScalarType.Int64);
        var table = _embeddings!.Value;
        Tensor y;
        if (ids.device_type == DeviceType.CPU)
            y = table.index_select(0, ids.flatten()).reshape([.. ids.shape, OutputDim]);
        else
        {
            // No host check on accelerators: out-of-range ids read row 0 and are zeroed.
            var valid = ids.ge(0).logical_and(ids.lt(InputDim));
            var safe = torch.where(valid, ids, torch.zeros_like(ids));
            y = table.index_select(0, safe.flatten()).reshape([.. ids.shape, OutputDim]) * valid.unsqueeze(-1).to(table.dtype);
        }
        return y;
    }

    /// <summary>The padding mask <c>inputs != 0</c> when <see cref="MaskZero"/>, else none.</summary>
    /// <param name="inputs">The token ids.</param>
    /// <param name="mask">An incoming mask; ignored (the mask comes from the ids).</param>
    public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => MaskZero ? inputs.ne(0) : null;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return [.. inputShape, OutputDim];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["input_dim"] = InputDim;
        c["output_dim"] = OutputDim;
        EmbeddingsSpec.WriteConfig(c);
        c["activity_regularizer"] = LayerArguments.Describe(_activityRegularizerArg);
        c["mask_zero"] = MaskZero;
        return c;
    }
}
