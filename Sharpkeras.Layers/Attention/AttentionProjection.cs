using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// The projection sub-layers of <see cref="MultiHeadAttention"/> (Keras builds them as <c>EinsumDense</c>
/// layers named "query", "key", "value" and "attention_output"). It contracts the last
/// <c>boundDims</c> axes of its input with a kernel of Keras shape <c>(bound..., output...)</c> and adds a
/// bias of shape <c>(output...)</c>: e.g. the query projection maps (B, T, d) to (B, T, heads, keyDim) with
/// kernel (d, heads, keyDim) and bias (heads, keyDim), the output projection maps (B, T, heads, valueDim)
/// to (B, T, d) with kernel (heads, valueDim, d) and bias (d).
/// </summary>
internal sealed class AttentionProjection : Layer
{
    private readonly int[] _outputDims;
    private readonly int _boundDims;
    private readonly bool _useBias;
    private readonly Initializers.Initializer _kernelInitializer;
    private readonly Initializers.Initializer _biasInitializer;
    private readonly Regularizers.Regularizer? _kernelRegularizer;
    private readonly Regularizers.Regularizer? _biasRegularizer;
    private readonly Constraints.Constraint? _kernelConstraint;
    private readonly Constraints.Constraint? _biasConstraint;
    private KerasVariable? _kernel;
    private KerasVariable? _bias;
    private long _boundSize;
    private long _outputSize;

    public AttentionProjection(string name, int[] outputDims, int boundDims, bool useBias,
        Initializers.Initializer kernelInitializer, Initializers.Initializer biasInitializer,
        Regularizers.Regularizer? kernelRegularizer, Regularizers.Regularizer? biasRegularizer,
        Regularizers.Regularizer? activityRegularizer, Constraints.Constraint? kernelConstraint,
        Constraints.Constraint? biasConstraint, DTypePolicy dtype)
        : base(name, dtype: dtype)
    {
        _outputDims = outputDims;
        _boundDims = boundDims;
        _useBias = useBias;
        _kernelInitializer = kernelInitializer;
        _biasInitializer = biasInitializer;
        _kernelRegularizer = kernelRegularizer;
        _biasRegularizer = biasRegularizer;
        ActivityRegularizer = activityRegularizer;
        _kernelConstraint = kernelConstraint;
        _biasConstraint = biasConstraint;
    }

    public KerasVariable Kernel => _kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built yet.");

    public KerasVariable? Bias => _bias;

    public override void Build(int?[] inputShape)
    {
        var bound = new long[_boundDims];
        for (int i = 0; i < _boundDims; i++)
        {
            var d = inputShape[inputShape.Length - _boundDims + i]
                    ?? throw new ArgumentException($"Layer '{Name}': the last {_boundDims} dimension(s) of the input must be known; got shape {ShapeUtils.Format(inputShape)}.");
            bound[i] = d;
        }
        _boundSize = bound.Aggregate(1L, (a, b) => a * b);
        _outputSize = _outputDims.Aggregate(1L, (a, b) => a * b);
        long[] kernelShape = [.. bound, .. _outputDims.Select(d => (long)d)];
        _kernel = AddWeight("kernel", kernelShape, _kernelInitializer, _kernelRegularizer, constraint: _kernelConstraint);
        if (_useBias)
            _bias = AddWeight("bias", _outputDims.Select(d => (long)d).ToArray(), _biasInitializer, _biasRegularizer, constraint: _biasConstraint);
    }

    public override Tensor Call(Tensor inputs, bool training)
    {
        var lead = inputs.shape[..^_boundDims];
        var flat = inputs.reshape([.. lead, _boundSize]);
        var y = flat.matmul(_kernel!.Value.reshape(_boundSize, _outputSize));
        if (_bias is not null) y = y.add(_bias.Value.reshape(_outputSize));
        y = y.reshape([.. lead, .. _outputDims.Select(d => (long)d)]);
        return y;
    }

    protected override void ValidateInputs(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() <= _boundDims)
            throw new ArgumentException($"Input of layer '{Name}' must have rank > {_boundDims}; got shape {ShapeUtils.Format(x.shape)}.");
        var expected = _kernel!.KerasShape[.._boundDims];
        if (!x.shape[^_boundDims..].SequenceEqual(expected))
            throw new ArgumentException(
                $"Input of layer '{Name}' is incompatible: expected last dimension(s) ({string.Join(", ", expected)}), got shape {ShapeUtils.Format(x.shape)}.");
    }

    public override int?[] ComputeOutputShape(int?[] inputShape) =>
        [.. inputShape[..^_boundDims], .. _outputDims.Select(d => (int?)d)];

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["output_shape"] = _outputDims;
        c["use_bias"] = _useBias;
        c["kernel_initializer"] = _kernelInitializer.ClassName;
        c["bias_initializer"] = _biasInitializer.ClassName;
        return c;
    }
}
