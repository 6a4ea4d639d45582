using Sharpkeras.Engine;
using static TorchSharp.torch;

namespace Sharpkeras.Layers;

/// <summary>
/// Token embedding plus a learned position embedding (the layer of Keras's "Text classification with
/// Transformer" example): <c>Embedding(vocabSize, embedDim)(tokens) + Embedding(maxLen, embedDim)(0…T-1)</c>.
/// </summary>
public sealed class TokenAndPositionEmbedding : Layer
{
    private readonly Embedding _tokens;
    private readonly Embedding _positions;

    /// <summary>Creates the layer.</summary>
    /// <param name="maxLen">The longest sequence the layer takes (rows of the position embedding, &gt; 0).</param>
    /// <param name="vocabSize">Number of distinct token ids, ids in [0, vocabSize) (&gt; 0).</param>
    /// <param name="embedDim">Size of each embedding vector (&gt; 0).</param>
    /// <param name="name">Layer name.</param>
    /// <exception cref="System.ArgumentOutOfRangeException">A size is not positive.</exception>
    public TokenAndPositionEmbedding(int maxLen, int vocabSize, int embedDim, string? name = null) : base(name)
    {
        if (maxLen <= 0) throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen, "maxLen must be positive.");
        if (vocabSize <= 0) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "vocabSize must be positive.");
        if (embedDim <= 0) throw new ArgumentOutOfRangeException(nameof(embedDim), embedDim, "embedDim must be positive.");
        MaxLen = maxLen; VocabSize = vocabSize; EmbedDim = embedDim;
        _tokens = TrackLayer(new Embedding(vocabSize, embedDim, name: Name + "_token"));
        _positions = TrackLayer(new Embedding(maxLen, embedDim, name: Name + "_position"));
        AcceptsIntegerInput = true;
    }

    /// <summary>Longest sequence.</summary>
    public int MaxLen { get; }

    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; }

    /// <summary>Embedding width.</summary>
    public int EmbedDim { get; }

    /// <inheritdoc />
    public override void Build(int?[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException($"Input of layer '{Name}' must be (batch, sequence); got {ShapeUtils.Format(inputShape)}.");
        if (inputShape[1] is int t && t > MaxLen)
            throw new ArgumentException($"Layer '{Name}': sequences of length {t} exceed maxLen {MaxLen}.");
        _tokens.EnsureBuilt([inputShape]);
        _positions.EnsureBuilt([[null, inputShape[1]]]);
    }

    /// <inheritdoc />
    public override Tensor Call(Tensor inputs, bool training)
    {
        long t = inputs.shape[1];
        var positions = torch.arange(t, dtype: ScalarType.Int64, device: inputs.device);
        return _tokens.Apply(inputs, training) + _positions.Apply(positions.unsqueeze(0), training);
    }

    /// <inheritdoc />
    public override int?[] ComputeOutputShape(int?[] inputShape) => [inputShape[0], inputShape[1], EmbedDim];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_len"] = MaxLen; c["vocab_size"] = VocabSize; c["embed_dim"] = EmbedDim;
        return c;
    }
}
