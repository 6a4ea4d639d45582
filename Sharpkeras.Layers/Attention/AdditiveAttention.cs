using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Additive (Bahdanau-style) attention (Keras's <c>AdditiveAttention</c>). Inputs [query (B, Tq, dim),
/// value (B, Tv, dim)] or [query, value, key]: scores = Σ_dim scale · tanh(query + key), with a learned
/// <c>scale</c> of shape (dim) when <c>useScale</c> (default true, glorot_uniform); output =
/// softmax(scores)·value. Masks and <c>useCausalMask</c> work as in <see cref="Attention"/>.
/// </summary>
public sealed class AdditiveAttention : Attention
{
    private KerasVariable? _vectorScale;

    /// <summary>Creates the layer.</summary>
    /// <param name="useScale">Whether to learn a per-dimension scale of the tanh terms.</param>
    /// <param name="dropout">Dropout rate on the attention probabilities, in [0, 1).</param>
    /// <param name="seed">Optional seed of the dropout.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="returnAttentionScores">Whether the layer has a second output, the attention distribution (B, Tq, Tv) (see <see cref="Attention"/>).</param>
    public AdditiveAttention(bool useScale = true, double dropout = 0.0, int? seed = null, string? name = null, bool returnAttentionScores = false)
        : base(useScale, "dot", dropout, seed, name, checkScoreMode: false, returnAttentionScores) { }

    /// <summary>The learned scale of shape (dim) (after build; null without useScale).</summary>
    public new KerasVariable? Scale => _vectorScale;

    private protected override void CreateWeights(int?[] queryShape)
    {
        if (!UseScale) return;
        var dim = queryShape[^1] ?? throw new ArgumentException(
            $"The last dimension of the query of layer '{Name}' (AdditiveAttention) must be known; got {ShapeUtils.Format(queryShape)}.");
        _vectorScale = AddWeight("scale", [dim], "glorot_uniform");
    }

    private protected override void CheckWeightShapes(int?[] queryShape)
    {
        if (_vectorScale is not null && queryShape[^1] is int d && d != _vectorScale.KerasShape[0])
            throw new ArgumentException(
                $"Inputs of layer '{Name}' (AdditiveAttention) are incompatible with its weights: expected query (..., {_vectorScale.KerasShape[0]}), got {ShapeUtils.Format(queryShape)}.");
    }

    private protected override Tensor CalculateScores(Tensor query, Tensor key)
    {
        var t = (query.unsqueeze(-2) + key.unsqueeze(-3)).tanh();
        return (_vectorScale is null ? t : t * _vectorScale.Value).sum(-1);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("score_mode");
        return c;
    }
}
