using NUnit.Framework;
using Sharpkeras.Layers;
using Sharpkeras.Saving;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras.Tests.LayersAttention;

/// <summary><c>returnAttentionScores</c> of Attention / AdditiveAttention / MultiHeadAttention (Keras's return_attention_scores).</summary>
public class AttentionScoresTests
{
    private static float[] Data(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    private static Tensor T(float[] values, params long[] shape) => torch.tensor(values).reshape(shape);

    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    // query (1, 2, 2) = [[1, 0], [0, 2]]; value = key (1, 3, 2) = [[1, 0], [0, 1], [1, 1]].
    private static Tensor Q() => T([1f, 0f, 0f, 2f], 1, 2, 2);
    private static Tensor V() => T([1f, 0f, 0f, 1f, 1f, 1f], 1, 3, 2);

    private static double[] Softmax(params double[] s)
    {
        var e = s.Select(Math.Exp).ToArray();
        var sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    [Test]
    public void AttentionScoresAreTheSoftmaxOfDotProducts()
    {
        var layer = new Attention(returnAttentionScores: true);
        var outs = layer.ApplyMulti([Q(), V()]);
        Assert.That(outs, Has.Length.EqualTo(2));
        Assert.That(outs[1].shape, Is.EqualTo(new long[] { 1, 2, 3 }));
        // q·kᵀ: row 0 = [1, 0, 1], row 1 = [0, 2, 2].
        var expected = Softmax(1, 0, 1).Concat(Softmax(0, 2, 2)).ToArray();
        Assert.That(Data(outs[1]), Is.EqualTo(expected).Within(1e-6));
        Assert.That(Data(outs[1].sum([-1L])), Is.EqualTo(new[] { 1f, 1f }).Within(1e-6));
        // output = scores·value, and equal to the single-output layer's.
        var w = expected;
        var byHand = new[] { w[0] + w[2], w[1] + w[2], w[3] + w[5], w[4] + w[5] };
        Assert.That(Data(outs[0]), Is.EqualTo(byHand).Within(1e-6));
        Assert.That(Data(outs[0]), Is.EqualTo(Data(new Attention().Apply([Q(), V()]))).Within(1e-6));
        Assert.That(Data(layer.Apply([Q(), V()])), Is.EqualTo(byHand).Within(1e-6), "Apply returns the output");
    }

    [Test]
    public void AttentionScoresHideMaskedKeys()
    {
        var layer = new Attention(returnAttentionScores: true);
        var outs = layer.CallMulti([Q(), V()], false, [null, torch.tensor(new[] { true, true, false }).reshape(1, 3)]);
        var expected = Softmax(1, 0).Append(0).Concat(Softmax(0, 2).Append(0)).ToArray();
        Assert.That(Data(outs[1]), Is.EqualTo(expected).Within(1e-6));
        // Causal (Tq 2, Tv 3): row 0 sees key 0 only, row 1 keys 0 and 1.
        var causal = new Attention(returnAttentionScores: true).ApplyMulti([Q(), V()], false, useCausalMask: true);
        Assert.That(Data(causal[1]), Is.EqualTo(new[] { 1.0, 0, 0 }.Concat(Softmax(0, 2).Append(0))).Within(1e-6));
        var sq = Keras.Input([2, 2]);
        var sym = new Attention(returnAttentionScores: true).ApplyMulti([sq, sq], useCausalMask: true);
        Assert.That(sym[1].Shape, Is.EqualTo(new int?[] { null, 2, 2 }));
    }

    [Test]
    public void AdditiveAttentionReturnsScoresToo()
    {
        var layer = new AdditiveAttention(useScale: false, returnAttentionScores: true);
        var outs = layer.ApplyMulti([Q(), V()]);
        // Σ tanh(q + k): row 0 = [tanh 2 + tanh 0, tanh 1 + tanh 1, tanh 2 + tanh 1], row 1 = [tanh 1 + tanh 2, tanh 0 + tanh 3, tanh 1 + tanh 3].
        double t(double x) => Math.Tanh(x);
        var expected = Softmax(t(2), 2 * t(1), t(2) + t(1)).Concat(Softmax(t(1) + t(2), t(3), t(1) + t(3))).ToArray();
        Assert.That(Data(outs[1]), Is.EqualTo(expected).Within(1e-6));
        Assert.That(Data(outs[0]), Is.EqualTo(Data(new AdditiveAttention(useScale: false).Apply([Q(), V()]))).Within(1e-6));
    }

    /// <summary>2 heads, keyDim 1, no biases; head h's query and key projections pick feature h.</summary>
    private static MultiHeadAttention HandMha(bool scores, double dropout = 0.0)
    {
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 1, useBias: false, dropout: dropout, seed: 3, returnAttentionScores: scores);
        mha.ApplyMulti([torch.zeros(1, 2, 2), torch.zeros(1, 3, 2)]);
        var pick = T([1f, 0f, 0f, 1f], 2, 2, 1);   // kernel[d, h, 0] = (d == h)
        mha.SetWeights([pick, pick, T([0.5f, -1f, 2f, 0.25f], 2, 2, 1), T([1f, 2f, -1f, 0.5f], 2, 1, 2)]);
        return mha;
    }

    [Test]
    public void MultiHeadScoresAreSoftmaxOfScaledDotProductsPerHead()
    {
        var outs = HandMha(true).ApplyMulti([Q(), V()]);
        Assert.That(outs, Has.Length.EqualTo(2));
        Assert.That(outs[1].shape, Is.EqualTo(new long[] { 1, 2, 2, 3 }), "(batch, heads, query len, key len)");
        // head 0: q = [1, 0], k = [1, 0, 1]; head 1: q = [0, 2], k = [0, 1, 1]; scale 1/√1.
        var expected = Softmax(1, 0, 1).Concat(Softmax(0, 0, 0)).Concat(Softmax(0, 0, 0)).Concat(Softmax(0, 2, 2)).ToArray();
        Assert.That(Data(outs[1]), Is.EqualTo(expected).Within(1e-6));
        Assert.That(Data(outs[1].sum([-1L])), Is.All.EqualTo(1f).Within(1e-6));
        Assert.That(Data(outs[0]), Is.EqualTo(Data(HandMha(false).Apply(Q(), V()))).Within(1e-5), "output unchanged");
        // Causal: head 0 row 0 sees key 0 only; head 1 row 1 sees keys 0, 1 (scores 0, 2).
        var c = Data(HandMha(true).ApplyMulti(Q(), V(), null, null, useCausalMask: true)[1]);
        Assert.That(c, Is.EqualTo(new[] { 1.0, 0, 0 }.Concat(Softmax(0, 0).Append(0)).Concat(new[] { 1.0, 0, 0 }).Concat(Softmax(0, 2).Append(0))).Within(1e-6));
        var masked = HandMha(true);
        Assert.That(Data(masked.ApplyMulti([Q(), V(), torch.tensor(new[] { true, true, false, true, true, true }).reshape(1, 2, 3)])[1])[2], Is.EqualTo(0f),
            "an explicit attention mask zeroes the hidden position");
    }

    [Test]
    public void MultiHeadScoresAreReturnedBeforeDropout()
    {
        var mha = HandMha(true, dropout: 0.5);
        var outs = mha.ApplyMulti([Q(), V()], training: true);
        Assert.That(Data(outs[1].sum([-1L])), Is.All.EqualTo(1f).Within(1e-6), "Keras returns the probabilities before dropout");
    }

    [Test]
    public void SymbolicShapesInAFunctionalModel()
    {
        var q = Keras.Input([3, 4]);
        var v = Keras.Input([5, 6]);
        var k = Keras.Input([5, 4]);
        var att = new Attention(returnAttentionScores: true).ApplyMulti(q, v, k);
        Assert.That(att[0].Shape, Is.EqualTo(new int?[] { null, 3, 6 }));
        Assert.That(att[1].Shape, Is.EqualTo(new int?[] { null, 3, 5 }));
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 8, returnAttentionScores: true).ApplyMulti(q, v);
        Assert.That(mha[0].Shape, Is.EqualTo(new int?[] { null, 3, 4 }));
        Assert.That(mha[1].Shape, Is.EqualTo(new int?[] { null, 2, 3, 5 }));
        var causal = new MultiHeadAttention(numHeads: 2, keyDim: 8, returnAttentionScores: true).ApplyMulti(q, q, null, null, useCausalMask: true);
        Assert.That(causal[1].Shape, Is.EqualTo(new int?[] { null, 2, 3, 3 }));
        var model = new Model([q, v, k], [att[0], att[1], mha[0], mha[1]]);
        var r = model.Predict([torch.randn(2, 3, 4), torch.randn(2, 5, 6), torch.randn(2, 5, 4)], verbose: 0);
        Assert.That(r.Select(t => t.shape).ToArray(), Is.EqualTo(new[]
        {
            new long[] { 2, 3, 6 }, new long[] { 2, 3, 5 }, new long[] { 2, 3, 4 }, new long[] { 2, 2, 3, 5 },
        }));
    }

    [Test]
    public void MultiHeadScoreShapeWithAttentionAxes()
    {
        // query (B, 2, 3, 4), attention over axis 2: scores (B, 2, heads, 3, 5).
        var q = Keras.Input([2, 3, 4]);
        var v = Keras.Input([2, 5, 4]);
        var layer = new MultiHeadAttention(numHeads: 3, keyDim: 2, attentionAxes: [2], returnAttentionScores: true);
        var outs = layer.ApplyMulti(q, v);
        Assert.That(outs[1].Shape, Is.EqualTo(new int?[] { null, 2, 3, 3, 5 }));
        var eager = layer.ApplyMulti([torch.randn(4, 2, 3, 4), torch.randn(4, 2, 5, 4)]);
        Assert.That(eager[1].shape, Is.EqualTo(new long[] { 4, 2, 3, 3, 5 }));
        Assert.That(Data(eager[1].sum([-1L])), Is.All.EqualTo(1f).Within(1e-5));
    }

    [Test]
    public void ConfigRoundTripsReturnAttentionScores()
    {
        Assert.That(new Attention().GetConfig().ContainsKey("return_attention_scores"), Is.False, "default configs stay Keras's");
        Assert.That(new MultiHeadAttention(2, 4).GetConfig().ContainsKey("return_attention_scores"), Is.False);
        var a = new Attention(useScale: true, returnAttentionScores: true);
        Assert.That(a.GetConfig()["return_attention_scores"], Is.EqualTo(true));
        var a2 = (Attention)Serialization.LayerFromConfig(typeof(Attention), a.GetConfig());
        Assert.That(a2.ReturnAttentionScores, Is.True);
        Assert.That(a2.UseScale, Is.True);
        Assert.That(a2.ApplyMulti([Q(), V()]), Has.Length.EqualTo(2));
        var ad = (AdditiveAttention)Serialization.LayerFromConfig(typeof(AdditiveAttention), new AdditiveAttention(returnAttentionScores: true).GetConfig());
        Assert.That(ad.ReturnAttentionScores, Is.True);
        var m = new MultiHeadAttention(2, 4, returnAttentionScores: true);
        var m2 = (MultiHeadAttention)Serialization.LayerFromConfig(typeof(MultiHeadAttention), m.GetConfig());
        Assert.That(m2.ReturnAttentionScores, Is.True);
        Assert.That(m2.ApplyMulti([Q(), V()])[1].shape, Is.EqualTo(new long[] { 1, 2, 2, 3 }));
    }
}
