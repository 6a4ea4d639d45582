using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.LayersAttention;

public class AttentionTests
{
    private static float[] Data(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    // query (1, 1, 2) = [1, 0]; value (1, 2, 2) = [[1, 0], [0, 1]] (also the key).
    private static readonly Tensor Q = T([1f, 0f], 1, 1, 2);
    private static readonly Tensor V = T([1f, 0f, 0f, 1f], 1, 2, 2);

    [Test]
    public void DotProductHandComputed()
    {
        var layer = new Attention();
        var y = Data(layer.Apply([Q, V]));
        // scores = q·kᵀ = [1, 0]; weights = [e/(1+e), 1/(1+e)]; output = weights·v.
        double e = Math.E;
        Assert.That(y, Is.EqualTo(new[] { e / (1 + e), 1 / (1 + e) }).Within(1e-6));
        Assert.That(layer.CountParams(), Is.EqualTo(0));
    }

    [Test]
    public void UseScaleLearnsAScalarStartingAtOne()
    {
        var layer = new Attention(useScale: true);
        layer.Apply([Q, V]);
        Assert.That(layer.CountParams(), Is.EqualTo(1));
        Assert.That(Data(layer.GetWeights()[0]), Is.EqualTo(new[] { 1f }));
        layer.SetWeights([torch.tensor(2f)]);
        // scores = 2·[1, 0] = [2, 0]
        double e2 = Math.Exp(2);
        Assert.That(Data(layer.Apply([Q, V])), Is.EqualTo(new[] { e2 / (1 + e2), 1 / (1 + e2) }).Within(1e-6));
    }

    [Test]
    public void ConcatScoreModeHandComputed()
    {
        var layer = new Attention(scoreMode: "concat");
        // scores_j = w · Σ tanh(q + k_j): k0 = [1, 0] -> tanh(2) + tanh(0); k1 = [0, 1] -> tanh(1) + tanh(1); w = 1.
        double s0 = Math.Tanh(2), s1 = 2 * Math.Tanh(1);
        double p0 = Math.Exp(s0) / (Math.Exp(s0) + Math.Exp(s1));
        Assert.That(Data(layer.Apply([Q, V])), Is.EqualTo(new[] { p0, 1 - p0 }).Within(1e-6));
        Assert.That(layer.GetWeights().Count, Is.EqualTo(1));
    }

    [Test]
    public void SeparateKeyIsUsedForScores()
    {
        var key = T([0f, 0f, 5f, 0f], 1, 2, 2);   // scores = [0, 5]
        var y = Data(new Attention().Apply([Q, V, key]));
        double p0 = 1 / (1 + Math.Exp(5));
        Assert.That(y, Is.EqualTo(new[] { p0, 1 - p0 }).Within(1e-6));
    }

    [Test]
    public void ValueMaskQueryMaskAndCausalMask()
    {
        var v = V.clone();
        Layer.SetMask(v, torch.tensor(new[] { false, true }).reshape(1, 2));
        // Only value 1 is visible: output = v1 = [0, 1].
        Assert.That(Data(new Attention().Apply([Q, v])), Is.EqualTo(new[] { 0f, 1f }).Within(1e-6));

        var q = T([1f, 0f, 0f, 1f], 1, 2, 2);
        var qMasked = q.clone();
        var qMask = torch.tensor(new[] { true, false }).reshape(1, 2);
        Layer.SetMask(qMasked, qMask);
        var y = new Attention().Apply([qMasked, V]);
        var d = Data(y);
        Assert.That(d[2..], Is.EqualTo(new[] { 0f, 0f }), "masked query rows are zero");
        Assert.That(Layer.GetMask(y)!.eq(qMask).all().item<bool>(), Is.True);

        // Causal: query 0 sees only value 0.
        var causal = Data(new Attention().Apply([q, V], useCausalMask: true));
        double e = Math.E;
        Assert.That(causal, Is.EqualTo(new[] { 1, 0, 1 / (1 + e), e / (1 + e) }).Within(1e-6));
    }

    [Test]
    public void AdditiveAttentionHandComputed()
    {
        var layer = new AdditiveAttention();
        layer.Apply([Q, V]);
        Assert.That(layer.CountParams(), Is.EqualTo(2), "scale has the query's dim");
        layer.SetWeights([torch.tensor(new[] { 1f, 0.5f })]);
        // scores_j = Σ scale · tanh(q + k_j): k0 -> tanh(2) + 0.5·tanh(0); k1 -> tanh(1) + 0.5·tanh(1).
        double s0 = Math.Tanh(2), s1 = 1.5 * Math.Tanh(1);
        double p0 = Math.Exp(s0) / (Math.Exp(s0) + Math.Exp(s1));
        Assert.That(Data(layer.Apply([Q, V])), Is.EqualTo(new[] { p0, 1 - p0 }).Within(1e-6));
        Assert.That(new AdditiveAttention().GetConfig().ContainsKey("score_mode"), Is.False);
    }

    [Test]
    public void WorksInFunctionalModelWithSymbolicOutputShape()
    {
        var q = Keras.Input([3, 4]);
        var v = Keras.Input([5, 6]);
        var k = Keras.Input([5, 4]);
        var y = new Attention().Apply(q, v, k);
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 3, 6 }));
        var model = new Model([q, v, k], [y]);
        var outp = model.Predict([torch.randn(2, 3, 4), torch.randn(2, 5, 6), torch.randn(2, 5, 4)], verbose: 0)[0];
        Assert.That(outp.shape, Is.EqualTo(new long[] { 2, 3, 6 }));
    }

    [Test]
    public void BadArgumentsAndInputsThrow()
    {
        Assert.That(() => new Attention(scoreMode: "cosine"), Throws.ArgumentException.With.Property("ParamName").EqualTo("scoreMode"));
        Assert.That(() => new Attention(dropout: -0.1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("dropout"));
        var layer = new Attention(name: "att");
        Assert.That(() => layer.Apply(Q), Throws.ArgumentException.With.Message.Contains("att"));
        Assert.That(() => layer.Apply([Q, V, V, V]), Throws.ArgumentException.With.Message.Contains("att"));
        Assert.That(() => layer.Apply([T([1f, 2f, 3f], 1, 1, 3), V]), Throws.ArgumentException.With.Message.Contains("(1, 1, 3)"));
    }
}
