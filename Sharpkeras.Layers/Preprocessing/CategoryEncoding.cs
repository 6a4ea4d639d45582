using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Encodes integer features as dense vectors of length <c>numTokens</c> (Keras's <c>CategoryEncoding</c>): "one_hot" (one
/// vector per value; a trailing axis of 1 is replaced), "multi_hot" (default: 1 where a value occurs in the row) or "count"
/// (how often; optionally weighted by <c>countWeights</c> given to <see cref="Encode"/>). Values must lie in [0, numTokens).
/// </summary>
public sealed class CategoryEncoding : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="numTokens">The number of categories (&gt; 0).</param>
    /// <param name="outputMode">"multi_hot" (default), "one_hot" or "count".</param>
    /// <param name="inputShape">Input shape without the batch dimension (first layer of a Sequential).</param>
    /// <param name="name">Layer name.</param>
    public CategoryEncoding(int numTokens, string outputMode = "multi_hot", int?[]? inputShape = null, string? name = null)
        : base(name, inputShape: inputShape)
    {
        if (numTokens <= 0) throw new ArgumentOutOfRangeException(nameof(numTokens), numTokens, "CategoryEncoding: numTokens must be > 0.");
        if (outputMode is not ("multi_hot" or "one_hot" or "count"))
            throw new ArgumentException($"CategoryEncoding: outputMode must be one of \"multi_hot\", \"one_hot\", \"count\"; got '{outputMode}'.", nameof(outputMode));
        NumTokens = numTokens;
        OutputMode = outputMode;
        AcceptsIntegerInput = true;
    }

    /// <summary>The number of categories.</summary>
    public int NumTokens { get; }

    /// <summary>"multi_hot", "one_hot" or "count".</summary>
    public string OutputMode { get; }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training) => Encode(inputs);

    /// <summary>Encodes <paramref name="inputs"/>; for "count", <paramref name="countWeights"/> (inputs' shape) weighs each occurrence.</summary>
    /// <param name="inputs">Integer values in [0, numTokens).</param>
    /// <param name="countWeights">Weights for "count", or null.</param>
    public Tensor Encode(Tensor inputs, Tensor? countWeights = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (countWeights is not null && OutputMode != "count")
            throw new ArgumentException("CategoryEncoding: countWeights can only be given with outputMode \"count\".", nameof(countWeights));
        return EncodeIds(inputs, NumTokens, OutputMode, countWeights);
    }

    /// <summary>The encoding shared with <see cref="Discretization"/>.</summary>
    internal static Tensor EncodeIds(Tensor inputs, int NumTokens, string OutputMode, Tensor? countWeights)
    {
        var x = inputs.to(ScalarType.Int64);
        if (x.dim() == 0) x = x.reshape(1);
        if (OutputMode == "one_hot")
        {
            if (x.dim() > 1 && x.shape[^1] == 1) x = x.squeeze(-1);
            return nn.functional.one_hot(x.clamp(0, NumTokens - 1), NumTokens).to(ScalarType.Float32)
                * x.ge(0).logical_and(x.lt(NumTokens)).unsqueeze(-1).to(ScalarType.Float32);
        }
        if (x.dim() == 1) x = x.unsqueeze(-1);
        var valid = x.ge(0).logical_and(x.lt(NumTokens));
        var w = countWeights is null ? valid.to(ScalarType.Float32) : countWeights.to(ScalarType.Float32, x.device).reshape(x.shape) * valid.to(ScalarType.Float32);
        var flat = x.reshape(-1, x.shape[^1]);
        var counts = torch.zeros(flat.shape[0], NumTokens, dtype: ScalarType.Float32, device: x.device)
            .scatter_add_(1, flat.clamp(0, NumTokens - 1), w.reshape(flat.shape));
        var result = OutputMode == "count" ? counts : counts.gt(0).to(ScalarType.Float32);
        return result.reshape([.. x.shape[..^1], NumTokens]);
    }

    /// <inheritdoc />
    protected override ScalarType OutputDType(ScalarType inputType) => ScalarType.Float32;

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => EncodedShape(inputShape, NumTokens, OutputMode);

    /// <summary>The output shape of the encoding.</summary>
    internal static int?[] EncodedShape(int?[] inputShape, int NumTokens, string OutputMode)
    {
        if (inputShape.Length == 0) return [NumTokens];
        if (OutputMode == "one_hot")
            return inputShape[^1] == 1 ? [.. inputShape[..^1], NumTokens] : [.. inputShape, NumTokens];
        return inputShape.Length == 1 ? [.. inputShape, NumTokens] : [.. inputShape[..^1], NumTokens];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_tokens"] = NumTokens;
        c["output_mode"] = OutputMode;
        return c;
    }
}
