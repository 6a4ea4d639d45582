using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Onnx.OnnxTestUtil;

namespace Sharpkeras.Tests.Onnx;

/// <summary>
/// ONNX export of the attention layers with their masks (Keras masks from the embedding, useCausalMask, an explicit
/// bool attention mask input) and the two-output form that returns the attention scores.
/// </summary>
public class OnnxAttentionExportTests : TempFolderTest
{
    /// <inheritdoc />
    protected override int? Seed => 44;

    private static Tensor Padded3(int n, int steps, int vocab) => Padded(n, steps, vocab, stride: 3);
    [Test]
    public void MultiHeadAttentionWithCausalMaskAndScoresMatchesPredict([Values(false, true)] bool scores)
    {
        var input = Keras.Input(shape: [5, 6]);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3, returnAttentionScores: scores);
        var outs = mha.ApplyMulti(input, input, null, null, useCausalMask: true);
        var model = new Model([input], outs, name: "causal_" + scores);
        Randomize(model);
        Assert.That(model.Outputs.Count, Is.EqualTo(scores ? 2 : 1));
        Assert.That(ExportAndCompare(model, Dir, [torch.randn(3, 5, 6)], [torch.randn(1, 5, 6)]), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void MultiHeadAttentionWithAnAttentionMaskInputMatchesPredict([Values(false, true)] bool scores)
    {
        var q = Keras.Input(shape: [4, 6]);
        var v = Keras.Input(shape: [5, 6]);
        var k = Keras.Input(shape: [5, 7]);
        var mask = Keras.Input(shape: [4, 5], dtype: ScalarType.Bool);
        var mha = new MultiHeadAttention(numHeads: 3, keyDim: 2, valueDim: 4, outputShape: [2, 3], returnAttentionScores: scores);
        var outs = mha.ApplyMulti(q, v, k, mask, useCausalMask: false);
        var model = new Model([q, v, k, mask], outs, name: "explicit_" + scores);
        Randomize(model);
        Tensor[] Batch(int n)
        {
            var m = torch.rand(n, 4, 5).gt(0.4);
            m[0, 1] = torch.tensor(false); // a fully masked query row
            return [torch.randn(n, 4, 6), torch.randn(n, 5, 6), torch.randn(n, 5, 7), m];
        }
        Assert.That(ExportAndCompare(model, Dir, Batch(3), Batch(1)), Is.LessThanOrEqualTo(1e-4));
    }

    [Test]
    public void MultiHeadAttentionWithKerasMasksAndCausalMaskMatchesPredict([Values(false, true)] bool scores)
    {
        var ids = Keras.Input(shape: [6], dtype: ScalarType.Int64);
        var e = new Embedding(30, 8, maskZero: true).Apply(ids);
        var outs = new MultiHeadAttention(numHeads: 2, keyDim: 4, returnAttentionScores: scores).ApplyMulti(e, e, null, null, useCausalMask: true);
        var pooled = new GlobalAveragePooling1D().Apply(new LayerNormalization().Apply(new Add().Apply(e, outs[0])));
        var model = new Model([ids], [new Dense(2).Apply(pooled), .. outs.Skip(1)], name: "kmask_" + scores);
        Randomize(model);
        Assert.That(ExportAndCompare(model, Dir, [Padded3(5, 6, 30)], [Padded3(1, 6, 30)]), Is.LessThanOrEqualTo(1e-4));
    }

    private static IEnumerable<TestCaseData> DotAttentions()
    {
        yield return new TestCaseData((Func<Attention>)(() => new Attention(returnAttentionScores: true)), false).SetName("Attention_dot_scores");
        yield return new TestCaseData((Func<Attention>)(() => new Attention(useScale: true, scoreMode: "concat", returnAttentionScores: true)), true).SetName("Attention_concat_causal_scores");
        yield return new TestCaseData((Func<Attention>)(() => new Attention(useScale: true)), true).SetName("Attention_scaled_causal");
        yield return new TestCaseData((Func<Attention>)(() => new AdditiveAttention(returnAttentionScores: true)), false).SetName("AdditiveAttention_scores");
        yield return new TestCaseData((Func<Attention>)(() => new AdditiveAttention(useScale: false)), true).SetName("AdditiveAttention_causal");
    }

    [TestCaseSource(nameof(DotAttentions))]
    public void AttentionLayersWithMasksMatchPredict(Func<Attention> make, bool causal)
    {
        // Query and value from masked embeddings: the value mask hides padded keys, the query mask zeroes padded queries.
        var qi = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var vi = Keras.Input(shape: [5], dtype: ScalarType.Int64);
        var emb = new Embedding(20, 4, maskZero: true);
        var q = emb.Apply(qi);
        var v = emb.Apply(vi);
        var key = new Dense(4).Apply(v);
        var att = make();
        var outs = att.ApplyMulti([q, v, key], useCausalMask: causal);
        var model = new Model([qi, vi], outs, name: "att");
        Randomize(model);
        Tensor[] Batch(int n) => [Padded3(n, 5, 20), Padded3(n, 5, 20).flip(0)];
        Assert.That(ExportAndCompare(model, Dir, Batch(4), Batch(1)), Is.LessThanOrEqualTo(1e-4));
    }
}
