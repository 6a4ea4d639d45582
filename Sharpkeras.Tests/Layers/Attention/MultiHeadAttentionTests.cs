using NUnit.Framework;
using Sharpkeras.Layers;
using TorchSharp;
using static TorchSharp.torch;
using static Sharpkeras.Tests.Kit;

namespace Sharpkeras.Tests.LayersAttention;

public class MultiHeadAttentionTests
{
    private static float[] Data(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    [SetUp]
    public void SetUp() => Keras.Config.Device = torch.CPU;

    [Test]
    public void ParamCountAndWeightLayoutMatchKeras()
    {
        var q = Keras.Input([5, 32]);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 16);
        var y = mha.Apply(q, q);
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 5, 32 }));
        // 3 · (32·2·16 + 2·16) + (2·16·32 + 32) = 3 · 1056 + 1056 = 4224
        Assert.That(mha.CountParams(), Is.EqualTo(3 * (32 * 2 * 16 + 2 * 16) + (2 * 16 * 32 + 32)));
        Assert.That(mha.CountParams(), Is.EqualTo(4224));
        var shapes = mha.GetWeights().Select(w => w.shape).ToList();
        Assert.That(shapes, Is.EqualTo(new List<long[]>
        {
            new long[] { 32, 2, 16 }, new long[] { 2, 16 },   // query kernel, bias
            new long[] { 32, 2, 16 }, new long[] { 2, 16 },   // key
            new long[] { 32, 2, 16 }, new long[] { 2, 16 },   // value
            new long[] { 2, 16, 32 }, new long[] { 32 },      // attention_output
        }));
        Assert.That(mha.Variables.Select(v => v.Path), Is.EqualTo(new[]
        {
            "query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias", "attention_output/kernel", "attention_output/bias",
        }));
        Assert.That(mha.TrainableWeights.Count, Is.EqualTo(8));
    }

    [Test]
    public void ValueDimKeyAndOutputShapeGiveKerasShapes()
    {
        var q = Keras.Input([4, 32]);
        var v = Keras.Input([6, 20]);
        var k = Keras.Input([6, 12]);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 16, valueDim: 8, outputShape: [10]);
        var y = mha.Apply(q, v, k);
        Assert.That(y.Shape, Is.EqualTo(new int?[] { null, 4, 10 }));
        var shapes = mha.GetWeights().Select(w => w.shape).ToList();
        Assert.That(shapes[0], Is.EqualTo(new long[] { 32, 2, 16 }));
        Assert.That(shapes[2], Is.EqualTo(new long[] { 12, 2, 16 }));
        Assert.That(shapes[4], Is.EqualTo(new long[] { 20, 2, 8 }));
        Assert.That(shapes[6], Is.EqualTo(new long[] { 2, 8, 10 }));
        Assert.That(shapes[7], Is.EqualTo(new long[] { 10 }));
        // (32·32 + 32) + (12·32 + 32) + (20·16 + 16) + (16·10 + 10) = 1056 + 416 + 336 + 170
        Assert.That(mha.CountParams(), Is.EqualTo(1978));
        var model = new Model([q, v, k], [y]);
        var outp = model.Predict([torch.randn(3, 4, 32), torch.randn(3, 6, 20), torch.randn(3, 6, 12)], verbose: 0)[0];
        Assert.That(outp.shape, Is.EqualTo(new long[] { 3, 4, 10 }));
    }

    /// <summary>1 head, keyDim 1, feature size 1, two tokens x = [1, 2]: everything by hand.</summary>
    private static MultiHeadAttention HandLayer(double dropout = 0.0)
    {
        var mha = new MultiHeadAttention(numHeads: 1, keyDim: 1, dropout: dropout);
        mha.Apply(torch.zeros(1, 2, 1), torch.zeros(1, 2, 1));
        mha.SetWeights([
            T([2f], 1, 1, 1), T([0.5f], 1, 1),   // q = 2x + 0.5
            T([1f], 1, 1, 1), T([0f], 1, 1),     // k = x
            T([3f], 1, 1, 1), T([1f], 1, 1),     // v = 3x + 1
            T([0.5f], 1, 1, 1), T([0.25f], 1),   // out = 0.5·o + 0.25
        ]);
        return mha;
    }

    private static double Softmax2First(double a, double b) => Math.Exp(a) / (Math.Exp(a) + Math.Exp(b));

    [Test]
    public void OneHeadHandComputed()
    {
        var x = T([1f, 2f], 1, 2, 1);
        // q = [2.5, 4.5], k = [1, 2], v = [4, 7], scale 1/√1 = 1.
        // row 0 scores: 2.5·[1, 2] = [2.5, 5];  row 1: 4.5·[1, 2] = [4.5, 9].
        double p0 = Softmax2First(2.5, 5.0), p1 = Softmax2First(4.5, 9.0);
        double o0 = p0 * 4 + (1 - p0) * 7, o1 = p1 * 4 + (1 - p1) * 7;
        var expected = new[] { 0.5 * o0 + 0.25, 0.5 * o1 + 0.25 };
        // Fused path (dropout 0) and Keras's explicit softmax path (dropout > 0, inference) agree with the hand values.
        foreach (var mha in new[] { HandLayer(), HandLayer(dropout: 0.5) })
        {
            var y = Data(mha.Apply(x, x));
            Assert.That(y[0], Is.EqualTo(expected[0]).Within(1e-5));
            Assert.That(y[1], Is.EqualTo(expected[1]).Within(1e-5));
        }
    }

    [Test]
    public void AttentionMaskAndCausalMaskHandComputed()
    {
        var x = T([1f, 2f], 1, 2, 1);
        double p1 = Softmax2First(4.5, 9.0);
        double row1 = 0.5 * (p1 * 4 + (1 - p1) * 7) + 0.25;
        // Token 0 may only see itself: output = 0.5·v0 + 0.25 = 0.5·4 + 0.25 = 2.25.
        var mask = torch.tensor(new[] { true, false, true, true }).reshape(1, 2, 2);
        foreach (var mha in new[] { HandLayer(), HandLayer(dropout: 0.5) })
        {
            var masked = Data(mha.Apply(x, x, attentionMask: mask));
            Assert.That(masked[0], Is.EqualTo(2.25).Within(1e-5));
            Assert.That(masked[1], Is.EqualTo(row1).Within(1e-5));
            var causal = Data(mha.Apply(x, x, useCausalMask: true));
            Assert.That(causal, Is.EqualTo(masked).Within(1e-5));
        }
        // Token 1 may only see token 0: 2.25 too.
        var only0 = torch.tensor(new[] { true, false, true, false }).reshape(1, 2, 2);
        Assert.That(Data(HandLayer().Apply(x, x, attentionMask: only0)), Is.EqualTo(new[] { 2.25f, 2.25f }).Within(1e-5));
    }

    [Test]
    public void CausalMaskHidesTheFuture()
    {
        Keras.Config.Seed(3);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 4);
        var a = torch.randn(2, 5, 6);
        var b = a.clone();
        b[TensorIndex.Colon, 3] = torch.randn(2, 6);   // change token 3 only
        var ya = mha.Apply(a, a, useCausalMask: true);
        var yb = mha.Apply(b, b, useCausalMask: true);
        var diff = (ya - yb).abs().amax(new long[] { 0, 2 });
        var d = Data(diff);
        Assert.That(d[0] + d[1] + d[2], Is.EqualTo(0).Within(1e-6), "tokens before 3 must not see token 3");
        Assert.That(d[3], Is.GreaterThan(1e-4));
        // Without the causal mask token 0 does see token 3.
        var free = Data((mha.Apply(a, a) - mha.Apply(b, b)).abs().amax(new long[] { 0, 2 }));
        Assert.That(free[0], Is.GreaterThan(1e-4));
    }

    [Test]
    public void KerasMasksOnValueAndQueryAreUsed()
    {
        var x = T([1f, 2f], 1, 2, 1);
        var mha = HandLayer();
        // A value mask hiding token 1 works like an attention mask whose column 1 is false.
        var v = x.clone();
        Layer.SetMask(v, torch.tensor(new[] { true, false }).reshape(1, 2));
        var viaMask = Data(mha.Apply(x, v));
        Assert.That(viaMask, Is.EqualTo(new[] { 2.25f, 2.25f }).Within(1e-5));
        // The output carries the query's mask.
        var q = x.clone();
        var qMask = torch.tensor(new[] { true, false }).reshape(1, 2);
        Layer.SetMask(q, qMask);
        var y = mha.Apply(q, x);
        Assert.That(Layer.GetMask(y), Is.Not.Null);
        Assert.That(Layer.GetMask(y)!.eq(qMask).all().item<bool>(), Is.True);
    }

    [Test]
    public void MaskFromEarlierLayerFlowsThroughFunctionalModel()
    {
        Keras.Config.Seed(5);
        var inp = Keras.Input([3, 4]);
        var masked = new ZeroMaskingTestLayer().Apply(inp);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 3);
        var model = new Model(inp, mha.Apply(masked, masked));
        var x = torch.randn(2, 3, 4);
        x[0, 2] = torch.zeros(4);   // token 2 of sample 0 is padding
        var y = model.Predict(x, verbose: 0);
        // Same as an explicit mask: query & value masks -> (B, T, 1) & (B, 1, S).
        var m = x.ne(0).any(-1);
        var attn = m.unsqueeze(-1).logical_and(m.unsqueeze(-2));
        var expected = mha.Apply(x, x, attentionMask: attn);
        Assert.That(Data(y), Is.EqualTo(Data(expected)).Within(1e-5));
        var unmasked = mha.Apply(x, x);
        Assert.That((unmasked - y).abs().max().item<float>(), Is.GreaterThan(1e-4), "the padding mask must change the result");
    }

    [Test]
    public void BoolMaskInputInFunctionalModel()
    {
        Keras.Config.Seed(6);
        var q = Keras.Input([2, 1]);
        var m = Keras.Input([2, 2], dtype: ScalarType.Bool);
        var mha = new MultiHeadAttention(numHeads: 1, keyDim: 1);
        var model = new Model([q, m], [mha.Apply(q, q, attentionMask: m)]);
        mha.SetWeights(HandLayer().GetWeights());
        var x = T([1f, 2f], 1, 2, 1);
        var mask = torch.tensor(new[] { true, false, true, false }).reshape(1, 2, 2);
        var y = model.Predict([x, mask], verbose: 0)[0];
        Assert.That(Data(y), Is.EqualTo(new[] { 2.25f, 2.25f }).Within(1e-5));
    }

    [Test]
    public void TransformerEncoderBlockTrainsInFunctionalModel()
    {
        Keras.Config.Seed(11);
        var inputs = Keras.Input([6, 8]);
        var attn = new MultiHeadAttention(numHeads: 2, keyDim: 4, dropout: 0.1).Apply(inputs, inputs);
        var x = new AddTestLayer().Apply(inputs, attn);
        var ff = new Dense(16, activation: "relu").Apply(x);
        ff = new Dense(8).Apply(ff);
        x = new AddTestLayer().Apply(x, ff);
        x = new Flatten().Apply(x);
        var outputs = new Dense(2, activation: "softmax").Apply(x);
        var model = new Model(inputs, outputs);
        var mha = model.Layers.OfType<MultiHeadAttention>().Single();
        Assert.That(mha.CountParams(), Is.EqualTo(3 * (8 * 2 * 4 + 2 * 4) + (2 * 4 * 8 + 8)));
        var before = mha.GetWeights()[0].clone();
        var xs = torch.randn(32, 6, 8);
        var ys = xs.sum(new long[] { 1, 2 }).gt(0).to(ScalarType.Int64);
        model.Compile(optimizer: new Sharpkeras.Optimizers.Adam(learningRate: 0.01), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(xs, ys, batchSize: 8, epochs: 5, verbose: 0);
        Assert.That(history["loss"].All(double.IsFinite), Is.True);
        Assert.That(history["loss"][^1], Is.LessThan(history["loss"][0]));
        Assert.That((mha.GetWeights()[0] - before).abs().max().item<float>(), Is.GreaterThan(0), "gradients must reach the query kernel");
    }

    [Test]
    public void HigherRankInputsWithAttentionAxes()
    {
        Keras.Config.Seed(2);
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 2, attentionAxes: [2]);
        var x = torch.randn(2, 3, 4, 5);
        var y = mha.Apply(x, x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 3, 4, 5 }));
        // Attention over axis 2 only: rows along axis 1 are independent.
        var x2 = x.clone();
        x2[TensorIndex.Colon, 1] = torch.randn(2, 4, 5);
        var y2 = mha.Apply(x2, x2);
        Assert.That((y[TensorIndex.Colon, 0] - y2[TensorIndex.Colon, 0]).abs().max().item<float>(), Is.EqualTo(0).Within(1e-6));
        Assert.That((y[TensorIndex.Colon, 1] - y2[TensorIndex.Colon, 1]).abs().max().item<float>(), Is.GreaterThan(1e-4));
    }

    [Test]
    public void DropoutIsActiveOnlyInTrainingAndSeeded()
    {
        var x = torch.randn(2, 5, 4, generator: new Generator(1));
        var a = new MultiHeadAttention(2, 4, dropout: 0.5, seed: 7, name: "mha_a");
        var b = new MultiHeadAttention(2, 4, dropout: 0.5, seed: 7, name: "mha_b");
        a.Apply(x, x);
        b.Apply(x, x);
        b.SetWeights(a.GetWeights());
        Assert.That(Data(a.Apply(x, x)), Is.EqualTo(Data(a.Apply(x, x))));
        var ta = a.Apply(x, x, training: true);
        var tb = b.Apply(x, x, training: true);
        Assert.That(Data(ta), Is.EqualTo(Data(tb)).Within(1e-6), "same seed -> same dropout");
        Assert.That((ta - a.Apply(x, x)).abs().max().item<float>(), Is.GreaterThan(1e-4));
    }

    [Test]
    public void ConfigUsesKerasKeys()
    {
        var c = new MultiHeadAttention(4, 8, valueDim: 6, dropout: 0.1, outputShape: [3]).GetConfig();
        Assert.That(c["num_heads"], Is.EqualTo(4));
        Assert.That(c["key_dim"], Is.EqualTo(8));
        Assert.That(c["value_dim"], Is.EqualTo(6));
        Assert.That(c["dropout"], Is.EqualTo(0.1));
        Assert.That(c["use_bias"], Is.EqualTo(true));
        Assert.That(c["output_shape"], Is.EqualTo(new[] { 3 }));
        Assert.That(c.ContainsKey("attention_axes"));
    }

    [Test]
    public void BadArgumentsAndInputsThrowNamedExceptions()
    {
        Assert.That(() => new MultiHeadAttention(0, 4), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("numHeads"));
        Assert.That(() => new MultiHeadAttention(2, -1), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("keyDim"));
        Assert.That(() => new MultiHeadAttention(2, 4, dropout: 1.0), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("dropout"));
        var mha = new MultiHeadAttention(2, 4, name: "my_mha");
        Assert.That(() => mha.Apply(torch.zeros(2, 3, 4)), Throws.InstanceOf<ArgumentException>().With.Message.Contains("my_mha"));
        Assert.That(() => mha.Apply(torch.zeros(2, 4), torch.zeros(2, 4)), Throws.InstanceOf<ArgumentException>().With.Message.Contains("my_mha").And.Message.Contains("(2, 4)"));
        Assert.That(mha.Variables, Is.Empty, "failed calls create no weights");
        mha.Apply(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4));
        Assert.That(() => mha.Apply(torch.zeros(2, 3, 5), torch.zeros(2, 3, 4)), Throws.InstanceOf<ArgumentException>().With.Message.Contains("my_mha").And.Message.Contains("(2, 3, 5)"));
        Assert.That(() => mha.Apply(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), attentionMask: torch.ones(2, 3, 3)),
            Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("attentionMask"));
        Assert.That(() => mha.Apply(torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), attentionMask: torch.ones(2, 3, 5, dtype: ScalarType.Bool)),
            Throws.InstanceOf<ArgumentException>().With.Message.Contains("attentionMask"));
        Assert.That(() => mha.Apply(torch.zeros(2, 3, 4), torch.zeros(3, 3, 4)), Throws.InstanceOf<ArgumentException>().With.Message.Contains("batch"));
        var q = Keras.Input([3, 4]);
        var mha2 = new MultiHeadAttention(2, 4);
        mha2.Apply(q, q, useCausalMask: true);
        Assert.That(() => mha2.Apply(q, q), Throws.InstanceOf<InvalidOperationException>());
    }
}
