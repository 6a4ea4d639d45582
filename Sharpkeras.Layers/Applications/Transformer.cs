using Sharpkeras.Layers;

namespace Sharpkeras;

public static partial class Applications
{
    /// <summary>
    /// A Transformer text classifier (Keras's "Text classification with Transformer" example): token + position
    /// embedding, one encoder block (MultiHeadAttention, dropout, residual, LayerNormalization(1e-6), feed-forward
    /// Dense(ffDim, relu) → Dense(embedDim), dropout, residual, LayerNormalization), GlobalAveragePooling1D,
    /// Dropout(0.1), Dense(20, relu), Dropout(0.1), Dense(numClasses, softmax).
    /// </summary>
    /// <param name="vocabSize">Number of distinct token ids (ids in [0, vocabSize)), default 20000.</param>
    /// <param name="maxLen">Length of every input sequence (pad with <c>Sequence.PadSequences</c>), default 200.</param>
    /// <param name="embedDim">Size of the token and position embeddings and of the encoder's output, default 32.</param>
    /// <param name="numHeads">Number of attention heads (&gt; 0), default 2; each head has key size <paramref name="embedDim"/>.</param>
    /// <param name="ffDim">Width of the feed-forward layer inside the encoder block (&gt; 0), default 32.</param>
    /// <param name="numClasses">Number of output classes (softmax), default 2.</param>
    /// <param name="dropout">Dropout rate after the attention and after the feed-forward layer, default 0.1.</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="numHeads"/>, <paramref name="ffDim"/> or <paramref name="numClasses"/> is not positive.</exception>
    public static Model TransformerClassifier(int vocabSize = 20000, int maxLen = 200, int embedDim = 32, int numHeads = 2,
        int ffDim = 32, int numClasses = 2, double dropout = 0.1)
    {
        if (numHeads <= 0) throw new ArgumentOutOfRangeException(nameof(numHeads), numHeads, "numHeads must be positive.");
        if (ffDim <= 0) throw new ArgumentOutOfRangeException(nameof(ffDim), ffDim, "ffDim must be positive.");
        CheckClasses(numClasses, nameof(TransformerClassifier));
        var inputs = Keras.Input(shape: [maxLen], dtype: TorchSharp.torch.ScalarType.Int64);
        var x = new TokenAndPositionEmbedding(maxLen, vocabSize, embedDim).Apply(inputs);
        var attn = new MultiHeadAttention(numHeads: numHeads, keyDim: embedDim).Apply(x, x);
        attn = new Dropout(dropout).Apply(attn);
        var out1 = new LayerNormalization(epsilon: 1e-6).Apply(new Add().Apply(x, attn));
        var ffn = new Dense(ffDim, activation: "relu").Apply(out1);
        ffn = new Dense(embedDim).Apply(ffn);
        ffn = new Dropout(dropout).Apply(ffn);
        x = new LayerNormalization(epsilon: 1e-6).Apply(new Add().Apply(out1, ffn));
        x = new GlobalAveragePooling1D().Apply(x);
        x = new Dropout(0.1).Apply(x);
        x = new Dense(20, activation: "relu").Apply(x);
        x = new Dropout(0.1).Apply(x);
        var outputs = new Dense(numClasses, activation: "softmax").Apply(x);
        return new Model(inputs, outputs, name: "transformer_classifier");
    }
}
